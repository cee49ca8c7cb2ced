"""The commune an item concerns, with the evidence a clerk can check.

The labelling rules (data/reference/README.md): where the subject is located, else the sender's
commune when a member, else HORS when the place or the sender is outside, else none.
So mentions in the subject and body decide first, the sender's address blocks second.
"""
from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass

from rapidfuzz import fuzz
from spacy.util import filter_spans

from pipeline.item import Place
from pipeline.reference import HORS
from pipeline.understand.gazetteer import BESANCON, IGNORE, Gazetteer
from pipeline.understand.nlp import fold, head
from pipeline.understand.zones import line_zones

KIND_WEIGHT = {"permit_ref": 5.0, "postcode_town": 3.0, "address": 3.0, "postcode": 1.0, "commune_name": 2.0, "alias": 2.0,
               "besancon_place": 1.5, "fuzzy": 1.5, "outside": 1.5, "email_domain": 1.0}
ZONE_WEIGHT = {"subject": 1.5, "body": 1.0, "sender": 1.0, "date": 0.5}
LOCATION_ZONES = ("subject", "body")
SENDER_ZONES = ("sender", "date")

STREET_BEFORE = re.compile(r"(\b(rue|route|avenue|av|chemin|impasse|allee|place|faubourg|fbg|boulevard|bd|quai|"
                           r"sentier|voie|square|passage)( (de la|de l|des|du|de|d))?|\b(rn|rd|d|n) ?\d+) ?$")
POSTCODE_TOWN = re.compile(r"(?<![\d,.])\b(\d{2}) ?(\d{3})\b[ ,]*(?!euros?\b)([A-ZÀ-Ýa-zà-ÿ][A-Za-zÀ-ÿ'’\- ]{1,40})")
PERMIT = re.compile(r"\b(PC|DP|CU|PA|PD|AT)\s*0?25\s*(\d{3})\b")
RESIDENCE_BEFORE = re.compile(r"\b(habite|habitons|habitant|habitante|habitants|domicilie|domiciliee|reside|residant|"
                              r"residante|demeurant|vis|vivons|suis|sommes|(dem|emm)enage|(dem|emm)enages|"
                              r"(dem|emm)enagee|(dem|emm)enagees|installe|installes|installee|installees|"
                              r"nouvelle adresse|desormais)( (a|au|aux|en|sur|de|d))? ?$")
# "quand nous habitions à Besançon", "mon ancienne adresse à Thise": where the sender no longer is.
FORMER_BEFORE = re.compile(r"\b(habitions|habitiez|habitais|habitait|habite|vivions|vivais|vivait|vecu|etions|etais|"
                           r"residions|residais|anciennement|ancien domicile|ancienne adresse|ancien logement|"
                           r"originaire|ne|nee|nes|nees|quitte|quittant|venant|venons|provenance)"
                           r"( (a|au|aux|en|sur|de|d|du))? ?$")
FORMER_CONTEXT = re.compile(r"\b(quand|lorsque|lorsqu|avant|autrefois|auparavant|jadis|ancien|ancienne|"
                            r"avons habite|ai habite|avons vecu|ai vecu|avons reside|ai reside|demenage de|"
                            r"demenage depuis|quitte|venons de)\b[^.;\n]{0,40}$")
ADDRESS_BEFORE = re.compile(r"\b(rue|avenue|chemin|impasse|allee|place|boulevard|route|quai|faubourg|lotissement|"
                            r"residence)\b[^,;.]{2,40}?\b(a|au)$")
CEDEX = re.compile(r"\bcedex( ?\d+)?\b")
BARE_POSTCODE = re.compile(r"(?<![\d ])\b(\d{5})\b(?![ \d])")
# "vers Besançon", "je travaille à Besançon": a destination, not where the request is.
DESTINATION_BEFORE = re.compile(r"\b(vers|jusqu a|direction( de)?|aller a|aller sur|descendre a|descends a|monter a|"
                                r"sejour a|de passage a|en visite a|en vacances a|en deplacement a|"
                                r"travaill\w* (a|sur)|rendre a|pour aller a|(pres|proche|non loin|a cote) d[e ]?|"
                                r"kilometres d[e ]?|km d[e ]?)$")
# "le même code postal que Pelousey", "ma voisine de Thise": a comparison, not a location.
COMPARISON = re.compile(r"(code postal|meme que|le meme|la meme|comme a|comme pour|contrairement a|"
                        r"a la difference d|alors qu a|par rapport a|comme chez|comme c est le cas a|mieux qu a)")
RELATIVE_BEFORE = re.compile(r"\b(voisin|voisine|fille|fils|soeur|frere|mere|pere|cousin|cousine|ami|amie|collegue)s?"
                             r"( (de|d)| qui (habite|vit|est)( (a|au|en|sur))?)$")
OUTSIDE_AFTER = re.compile(r"^ ?\( ?(haute saone|jura|cote d or|territoire de belfort|70|39|21|90|71|68)\b")
WORD = re.compile(r"[A-ZÀ-Ý][A-Za-zÀ-ÿ0-9]{5,}")
DOMAIN_PREFIX = re.compile(r"^(mairie|ville|commune|cc)[.-]")


@dataclass(frozen=True)
class Decision:
    commune: str | None
    evidence: str
    places: tuple[Place, ...]


def find_places(text: str, gazetteer: Gazetteer, *, sender_email: str = "", ocr: bool = False) -> Decision:
    """Every place mention in the text (its first `nlp.max_length` characters), then the commune the rules point to."""
    text = head(text, gazetteer.nlp)
    zones = line_zones(text)
    zone_at = _zone_lookup(zones)
    places: list[Place] = []
    taken: list[tuple[int, int]] = []
    for start, end, place in _postcode_towns(text, gazetteer, zone_at):
        places.append(place)
        taken.append((start, end))
    for start, end, place in _permit_refs(text, gazetteer):
        places.append(place)
    for start, end, place in _named(text, gazetteer, zone_at):
        if not any(s <= start < e or s < end <= e for s, e in taken):
            places.append(place)
            taken.append((start, end))
    places.extend(_bare_postcodes(text, gazetteer, zone_at, taken))
    if ocr:
        places.extend(_fuzzy(text, gazetteer, zone_at, taken))
    places.extend(_email_domain(sender_email, gazetteer))
    places = [p for p in places if p.zone != "recipient"]
    return _decide(places)


def _zone_lookup(zones):
    def zone_at(offset: int) -> str:
        for start, end, zone in zones:
            if start <= offset <= end:
                return zone
        return "body"
    return zone_at


def _postcode_towns(text, gazetteer: Gazetteer, zone_at):
    for match in POSTCODE_TOWN.finditer(text):
        postcode = match.group(1) + match.group(2)
        town_raw = match.group(3).split("\n")[0]
        town = " ".join(CEDEX.sub(" ", fold(town_raw)).split())  # "25030 Besançon Cedex 3" is Besançon
        if not town:
            continue
        commune, name, length = _town_for_postcode(postcode, town, gazetteer)
        if commune is None:
            continue
        start, end = match.start(), match.start(3) + (length or len(town_raw))
        evidence = " ".join(text[start:end].split())
        yield start, end, Place(commune, name or town_raw.strip(), evidence, "postcode_town", zone_at(start),
                                KIND_WEIGHT["postcode_town"])


def _town_for_postcode(postcode: str, town: str, gazetteer: Gazetteer):
    """(commune, name, matched length) a "postcode town" pair names; shared postcodes need the town."""
    candidates = gazetteer.by_postcode.get(postcode, [])
    exact = [c for c in candidates if town == c[0] or town.startswith(c[0] + " ")]
    fuzzy = [c for c in candidates if _similar(town[:len(c[0])], c[0]) or _similar(town.split(" ")[0], c[0])]
    if exact or fuzzy:
        folded, commune, name = max(exact or fuzzy, key=lambda c: len(c[0]))
        return commune, name, len(folded)
    if postcode.startswith("25"):
        for entry in gazetteer.lookup(town.split(" ")[0]) + gazetteer.lookup(town):
            if entry.commune != IGNORE:
                return entry.commune, entry.name, len(town.split(" ")[0])
        return None, None, None
    if postcode not in gazetteer.member_postcodes and len(town) >= 3:
        return HORS, None, len(town.split(" ")[0])
    return None, None, None


def _similar(a: str, b: str) -> bool:
    return len(b) >= 4 and fuzz.ratio(a, b) >= 85


def _bare_postcodes(text, gazetteer: Gazetteer, zone_at, taken):
    """A postcode alone ("Léa M., 25000") counts only when it belongs to one member commune and no outsider."""
    for match in BARE_POSTCODE.finditer(text):
        if any(s <= match.start() < e for s, e in taken):
            continue
        communes = {commune for _, commune, _ in gazetteer.by_postcode.get(match.group(1), [])}
        if len(communes) == 1 and HORS not in communes:
            commune = communes.pop()
            yield Place(commune, commune, match.group(0), "postcode", zone_at(match.start()), KIND_WEIGHT["postcode"])


def _permit_refs(text, gazetteer: Gazetteer):
    for match in PERMIT.finditer(text):
        insee = "25" + match.group(2)
        if insee in gazetteer.member_communes:
            yield match.start(), match.end(), Place(insee, insee, match.group(0), "permit_ref", "body",
                                                    KIND_WEIGHT["permit_ref"])


def _named(text, gazetteer: Gazetteer, zone_at):
    folded = fold(text)
    doc = gazetteer.nlp.make_doc(folded)
    spans = filter_spans([doc[s:e] for _, s, e in gazetteer.matcher(doc)])
    for span in spans:
        start, end = span.start_char, span.end_char
        entries = [e for e in gazetteer.lookup(span.text) if e.commune != IGNORE]
        if not entries:
            continue
        entry = min(entries, key=lambda e: e.commune == HORS)  # a member's name first
        original = text[start:end]
        if entry.needs_capital and not original[:1].isupper():
            continue
        before = folded[max(0, start - 30):start].rstrip()
        if entry.kind != "besancon_place" and STREET_BEFORE.search(before):
            continue
        commune = HORS if OUTSIDE_AFTER.match(folded[end:end + 30]) else entry.commune
        zone = zone_at(start)
        if zone in LOCATION_ZONES and _former(before, folded[max(0, start - 80):start]):
            zone = "mention"  # "quand nous habitions à Besançon": a former home, counted nowhere
        elif zone in LOCATION_ZONES and RESIDENCE_BEFORE.search(before):
            zone = "sender"  # "j'habite à Thise": where the sender lives, not what the letter is about
        sentence = re.split(r"[.!?\n]", folded[max(0, start - 120):start])[-1] + folded[start:end + 60].split(".")[0]
        if zone in LOCATION_ZONES and (DESTINATION_BEFORE.search(before) or RELATIVE_BEFORE.search(before)
                                        or COMPARISON.search(sentence)):
            zone = "mention"  # counted nowhere
        kind = "address" if entry.kind == "commune_name" and ADDRESS_BEFORE.search(before) else entry.kind
        weight = KIND_WEIGHT[kind] * (0.5 if commune == BESANCON and kind == "commune_name" else 1)
        yield start, end, Place(commune, entry.name, original, kind, zone, weight)


def _former(before: str, context: str) -> bool:
    """A place named as the sender's former home: past tense or "ancien", not their present address."""
    if FORMER_BEFORE.search(before) and not re.search(r"\b(j habite|nous habitons|je vis|nous vivons)\b[^.]{0,20}$",
                                                     before):
        return not before.endswith(("habite a", "habite au", "habite en")) or bool(FORMER_CONTEXT.search(context))
    return False


def _fuzzy(text, gazetteer: Gazetteer, zone_at, taken):
    for match in WORD.finditer(text):
        start, end = match.span()
        if any(s <= start < e for s, e in taken):
            continue
        word = fold(match.group(0))
        name = gazetteer.fuzzy(word, cutoff=88)
        if name and name != word and not STREET_BEFORE.search(fold(text[max(0, start - 30):start]).rstrip()):
            entry = gazetteer.lookup(name)[0]
            yield Place(entry.commune, entry.name, match.group(0), "fuzzy", zone_at(start), KIND_WEIGHT["fuzzy"])


def _email_domain(sender_email: str, gazetteer: Gazetteer):
    domain = sender_email.rpartition("@")[2]
    label = DOMAIN_PREFIX.sub("", domain.rsplit(".", 1)[0]) if "mairie" in domain or "ville" in domain else ""
    for entry in gazetteer.lookup(fold(label)) if label else ():
        if entry.commune not in (IGNORE, HORS):
            yield Place(entry.commune, entry.name, sender_email, "email_domain", "sender", KIND_WEIGHT["email_domain"])


def _decide(places: list[Place]) -> Decision:
    """Rules 1-4: a member commune where the subject is, else the sender's member commune, else HORS."""
    members = [p for p in places if p.commune != HORS]
    location = _best(members, LOCATION_ZONES)
    sender = _best(places, SENDER_ZONES)
    if location and sender and location.commune == BESANCON and sender.commune != BESANCON \
            and all(p.kind == "commune_name" for p in members if p.commune == BESANCON and p.zone in LOCATION_ZONES):
        # "Besançon" named alone is mostly where people go (work, doctor, shops), not what they write about.
        location = None
    chosen = location or sender or next((p for p in places if p.commune == HORS), None)
    if chosen is None:
        return Decision(None, "", tuple(places))
    return Decision(chosen.commune, chosen.evidence, tuple(places))


def _best(places: list[Place], zones: tuple[str, ...]) -> Place | None:
    scores: dict[str, float] = defaultdict(float)
    first: dict[str, Place] = {}
    for place in places:
        if place.zone in zones:
            scores[place.commune] += place.score * ZONE_WEIGHT[place.zone]
            first.setdefault(place.commune, place)
    if not scores:
        return None
    return first[max(scores, key=lambda c: (scores[c], c != HORS, c != BESANCON))]
