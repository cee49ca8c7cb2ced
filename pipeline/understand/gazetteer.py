"""Every way people name a place of the territory, matched with spaCy's PhraseMatcher.

Names are matched on folded text (no case, accents or hyphens) so "Chalezeule", "CHALEZEULE"
and "chalezeule" are one; rapidfuzz then catches what OCR mangled ("Chalezeu1e", "Besangon").
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

from rapidfuzz import fuzz, process
from spacy.language import Language
from spacy.matcher import PhraseMatcher

from pipeline.reference import HORS, load_reference
from pipeline.understand.nlp import fold

BESANCON = "25056"
IGNORE = "IGNORE"
# Names that are not places of a commune although they contain one.
NOT_PLACES = ("grand besancon", "grand besancon metropole", "haute saone", "gabriel plancon",
              "besancon cedex", "agglomeration de besancon", "agglo de besancon", "saone doubs",
              "doubs saone", "haute saone", "bourgogne franche comte", "franche comte")


# One-word names that are also common words or other places: matched only when capitalised.
NEEDS_CAPITAL = frozenset({"busy", "saone", "venise", "morre", "vaire", "beure", "gennes", "boucle", "butte",
                           "battant", "citadelle", "cras", "grette", "viotte", "chamars", "kursaal", "fontain",
                           "palente", "torpes", "champagney", "moncey", "placey", "osse", "lombard", "passavant",
                           "le puy", "puy", "gray", "dole", "lure", "rioz", "valleroy", "vesoul"})


STOP_PREFIXES = ("arret ", "arret de tram ", "arret de bus ", "arret du tram ", "station ", "station de tram ",
                 "arret de tramway ", "station de tramway ")

# Street names found in every town: they say nothing about Besançon.
EVERY_TOWN_STREETS = frozenset({"grande rue", "rue de la republique", "rue gambetta", "avenue carnot",
                                "rue de l egalite", "rue de la prefecture", "rue de la bibliotheque"})


@dataclass(frozen=True)
class Entry:
    commune: str  # INSEE, HORS or IGNORE
    name: str  # canonical name, for evidence
    kind: str  # commune_name, alias, besancon_place, outside, ignore
    needs_capital: bool


@dataclass(frozen=True)
class Gazetteer:
    nlp: Language  # its tokenizer made the matcher's patterns, so it must tokenize the texts too
    matcher: PhraseMatcher
    entries: dict[str, list[Entry]]  # folded pattern -> entries
    by_postcode: dict[str, list[tuple[str, str, str]]]  # postcode -> [(folded name, commune, name)]
    member_postcodes: frozenset[str]
    member_communes: frozenset[str]  # INSEE codes of the members
    fuzzy_names: tuple[str, ...]  # folded member names worth a fuzzy look (long enough)

    def lookup(self, folded: str) -> list[Entry]:
        return self.entries.get(" ".join(folded.split()), [])

    def fuzzy(self, folded: str, cutoff: float = 86) -> str | None:
        """The member commune name closest to an OCR-mangled word, if close enough."""
        if len(folded) < 6:
            return None
        found = process.extractOne(folded, self.fuzzy_names, scorer=fuzz.ratio, score_cutoff=cutoff)
        return found[0] if found else None


def _variants(name: str) -> set[str]:
    folded = " ".join(fold(name).split())
    out = {folded}
    for long, short in (("saint ", "st "), ("sainte ", "ste ")):
        if long in f" {folded} ":
            out.add(f" {folded} ".replace(long, short).strip())
    if folded.startswith(("la ", "le ", "les ")):
        out.add(folded.split(" ", 1)[1])
    return out


@cache
def load_gazetteer(reference_dir: Path, nlp: Language) -> Gazetteer:
    reference = load_reference(Path(reference_dir))
    entries: dict[str, list[Entry]] = {}

    def add(name: str, commune: str, kind: str) -> None:
        for variant in _variants(name):
            if len(variant) >= 3:
                entries.setdefault(variant, []).append(Entry(commune, name, kind, variant in NEEDS_CAPITAL))

    by_postcode: dict[str, list[tuple[str, str, str]]] = {}
    cedex: dict[str, list[str]] = {}
    for postcode, insee in reference.cedex:
        cedex.setdefault(insee, []).append(postcode)
    for commune in reference.communes:
        add(commune.name, commune.insee, "commune_name")
        for alias in commune.aliases:
            add(alias, commune.insee, "alias")
        for postcode in dict.fromkeys((*commune.postcodes, *cedex.get(commune.insee, ()))):
            for name in (commune.name, *commune.aliases):
                by_postcode.setdefault(postcode, []).append((" ".join(fold(name).split()), commune.insee, name))
    for kind, name in reference.besancon_places:
        if " ".join(fold(name).split()) not in EVERY_TOWN_STREETS:
            add(name, BESANCON, "besancon_place")
    for stop in reference.stops:
        # "Polygone", "République": words or places of any town, Besançon's stops only after "arrêt".
        for prefix in (("",) if stop.alone else ()) + STOP_PREFIXES:
            add(f"{prefix}{stop.name}", BESANCON, "besancon_place")
    for insee, name in reference.member_places:
        add(name, insee, "alias")
    for town in reference.outside:
        if fold(town.name) not in {fold(c.name) for c in reference.communes}:
            add(town.name, HORS, "outside")
        for postcode in town.postcodes:
            by_postcode.setdefault(postcode, []).append((" ".join(fold(town.name).split()), HORS, town.name))
    for name in NOT_PLACES:
        entries[name] = [Entry(IGNORE, name, "ignore", False)]

    matcher = PhraseMatcher(nlp.vocab, attr="LOWER")
    matcher.add("PLACE", [nlp.make_doc(pattern) for pattern in entries])
    member_postcodes = frozenset([*(p for c in reference.communes for p in c.postcodes), *(p for p, _ in reference.cedex)])
    fuzzy_names = tuple(sorted({" ".join(fold(c.name).split()) for c in reference.communes if len(c.name) >= 6}
                               | {" ".join(fold(a).split()) for c in reference.communes for a in c.aliases
                                  if len(a) >= 6}))
    member_communes = frozenset(c.insee for c in reference.communes)
    return Gazetteer(nlp, matcher, entries, by_postcode, member_postcodes, member_communes, fuzzy_names)
