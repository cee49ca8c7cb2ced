"""The lines of a French postal address, a salutation or a closing formula, recognised despite OCR noise.

Patterns on raw lines keep their case (a name is told by its capitals); patterns on folded lines
(nlp.fold: lowercase, no accents, hyphens as spaces) are named so.
"""
from __future__ import annotations

import re

from pipeline.understand.nlp import fold

POSTCODE_LINE = re.compile(r"^\W{0,3}(?:F\s?-\s?)?(?P<code>\d{2}\s?\d{3})\s*[,.\-]?\s+"
                           r"(?P<town>[A-Za-zÀ-ÿ][A-Za-zÀ-ÿ'’\- ]{1,50}?)(?:\s+cedex\b.*)?[\s\W]*$", re.I)
STREET = re.compile(r"(rue|avenue|av|bd|boulevard|chemin|ch|impasse|place|pl|allee|route|rte|quai|cours|square|"
                    r"faubourg|fbg|lieu dit|lotissement|lot|residence|batiment|bat|appt|appartement|etage|escalier|"
                    r"zone|za|zi|zac|parc|bp|cs|grande rue|grand rue|hameau|ferme|domaine|chateau|montee|sentier|"
                    r"passage|cite|village|voie|clos|promenade|rond point|porte|esplanade|case postale)\b")
RECIPIENT = re.compile(r"(\bcedex\b|monsieur le president|madame la presidente|monsieur le maire\b|madame le maire|"
                       r"madame la maire|a l attention|service (accueil|courrier)|direction (de|des|du|generale))")
SALUTATION = re.compile(r"^\W*(madame|monsieur|mesdames|messieurs|bonjour|cher|chere|maitre)\b")
CLOSING = re.compile(r"(cordialement|salutations|veuillez agreer|je vous prie|recevez|bien a vous|"
                     r"respectueusement|sentiments|consideration|remerciements|en vous remerciant)")
EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
PHONE = re.compile(r"(?<!\d)(?:\+33\s?\(?0?\)?\s?|0)[1-9](?:[\s.\-]?\d{2}){4}(?!\d)")
PARTICLES = {"de", "du", "des", "la", "le", "les", "et", "d", "l", "en", "sur", "sous", "au", "aux", "a", "lez",
             "les", "dit", "chez", "van", "von", "y"}
ROLE_WORDS = {"gerant", "gerante", "president", "presidente", "directeur", "directrice", "secretaire", "tresorier",
              "tresoriere", "maire", "adjoint", "adjointe"}
CIVILITY = re.compile(r"^(m|mr|mme|mlle|mm|me|dr|pr|monsieur|madame|mademoiselle|maitre|docteur)\b\.?\s*", re.I)


CARE_OF = re.compile(r"^\W*(chez|c o|aux bons soins)\b")
FUNCTION_WORDS = PARTICLES | {"ou", "un", "une", "pour", "que", "qui", "dont", "avec", "par", "mais", "donc", "car"}


def address_line(line: str, folded: str) -> bool:
    """A line that can sit in an address block: short, no sentence in it."""
    words = folded.split()
    if not words or len(words) > 8 or len(line) > 60 or words[-1] in FUNCTION_WORDS:
        return False
    if is_street(folded) or CARE_OF.match(folded):
        return True
    return not line.rstrip().endswith((".", "?", "!", ":", ";")) or name_like(line)


SALUTATION_WORDS = {"madame", "monsieur", "mesdames", "messieurs", "mademoiselle", "bonjour", "cher", "chere", "chers",
                    "le", "la", "les", "et", "president", "presidente", "vice", "maire", "directeur", "directrice",
                    "maitre", "l", "elus", "elu", "elue", "conseiller", "conseillere", "adjoint", "adjointe"}


def is_salutation(folded: str) -> bool:
    """"Madame, Monsieur," or "Monsieur le Président," but not "Monsieur Jean DUPONT" (a name)."""
    if not SALUTATION.match(folded):
        return False
    words = re.findall(r"[a-z]+", folded)
    return folded.rstrip().endswith(",") or all(w in SALUTATION_WORDS for w in words)


def postcode_line(line: str) -> tuple[str, str] | None:
    """(postcode, town) of a line such as "25000 Besançon" or "25043 BESANCON CEDEX"."""
    match = POSTCODE_LINE.match(line.strip())
    if not match:
        return None
    town = " ".join(match["town"].replace("’", "'").split()).strip(" -'")
    if len(town) < 2 or len(town.split()) > 6:
        return None
    return match["code"].replace(" ", ""), town


def fix_postcode(postcode: str, town: str, towns: dict[str, tuple[str, tuple[str, ...]]]) -> tuple[str, str]:
    """A postcode misread by one digit is set right when the town is known and has a close postcode; a
    town misread by one letter is set right when its postcode is the known town's."""
    key = " ".join(fold(town).split())
    if key not in towns:  # a town misread by a letter ("Vicilley") whose postcode is right
        close = [t for t in towns if postcode in towns[t][1] and len(t) > 4 and _one_letter_apart(t, key)]
        if len(close) == 1:
            key = close[0]
            town = towns[key][0].upper() if town.isupper() else towns[key][0]
    known = towns.get(key, ("", ()))[1]
    if known and postcode not in known and not any(p.endswith("000") for p in known):
        # (a city's "000" code has arrondissement and Cedex neighbours that are not misreadings)
        close = [p for p in known if sum(a != b for a, b in zip(p, postcode)) == 1]
        if len(close) == 1:
            return close[0], town
    return postcode, town


def _one_letter_apart(a: str, b: str) -> bool:
    from rapidfuzz.distance import Levenshtein
    return Levenshtein.distance(a, b) == 1


def is_street(folded: str) -> bool:
    """A street line: a number, or a street word ("rue", "chemin", "BP"...)."""
    return bool(re.match(r"^\W*\d+\s*(bis|ter|[a-z])?\b", folded)) or bool(STREET.match(folded.strip(" .,;:|'\"")))


def name_like(line: str) -> bool:
    """A line that can be a person's or an organisation's name: short, starting with a capital,
    its words capitalised except the French particles, and no sentence punctuation."""
    stripped = line.strip(" ‘'\"`.,;:-—_|[]()")
    words = re.findall(r"[\wÀ-ÿ]+", stripped)
    capitals = any(w.isupper() and len(w) > 2 for w in words)  # "julie BESSON": the family name tells
    if not stripped or not stripped[0].isalpha() or not (stripped[0].isupper() or capitals):
        return False
    if not words or len(words) > 9 or stripped.endswith("?"):
        return False
    folded_words = fold(stripped).split()
    if folded_words and folded_words[-1] in PARTICLES:
        return False
    lower = [w for w in words if w[0].islower() and fold(w) not in PARTICLES and fold(w) not in ROLE_WORDS]
    return len(lower) <= max(1, len(words) // 3) + (1 if capitals else 0)


def tidy(line: str) -> str:
    """A line without the OCR's stray marks around it and with single spaces."""
    return " ".join(line.strip(" ‘'\"`.,;:|[]_-—").split())


def family_name(name: str) -> str:
    """The family name in a written name: a word in capitals ("Gérard FAIVRE", "M. REINHARDT Joseph"), else the
    last word of the name without its title and role ("Karine Delorme, Députée" → "Delorme")."""
    main = re.split(r"\s[–—-]\s|,", name)[0]
    main = CIVILITY.sub("", main.strip())
    words = [w for w in re.findall(r"[\wÀ-ÿ'-]+", main) if len(w) > 1]
    capitals = [w for w in words if w.isupper() and len(w) > 2]
    if capitals and len(capitals) < len(words):
        return capitals[-1]
    return words[-1] if words else ""
