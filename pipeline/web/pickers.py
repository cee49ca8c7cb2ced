"""The pickers of the item page: communes and administrations found from a few letters, accents and typos forgiven.

"besac" finds Besançon, "chalez" Chalezeule, "25220" the communes of that postcode, "prefec" the
préfecture. Ranking: the name starts with what was typed, then one of its words (or an alias, a
postcode) does, then it appears inside, then a fuzzy match (rapidfuzz) for typing or OCR errors;
larger communes first among equals, since most mail concerns them.
"""
from __future__ import annotations

from dataclasses import dataclass

from rapidfuzz import fuzz

from pipeline.reference import HORS
from pipeline.understand.nlp import fold

NO_COMMUNE = "AUCUNE"
FUZZY_FLOOR = 72
LIMIT = 12


@dataclass(frozen=True)
class Choice:
    value: str
    name: str
    words: tuple[str, ...]  # folded: the name, aliases, postcodes
    weight: int = 0  # tie-break (population)
    hint: str = ""


def _folded(text: str) -> str:
    return " ".join(fold(text).replace("-", " ").replace("'", " ").replace("’", " ").split())


def commune_choices(reference) -> list[Choice]:
    out = [Choice(c.insee, c.name, tuple(_folded(w) for w in (c.name, *c.aliases, *c.postcodes)), c.population,
                  ", ".join(c.postcodes[:2])) for c in reference.communes]
    out.append(Choice(HORS, "Hors territoire", ("hors territoire", "exterieur", "autre commune")))
    out.append(Choice(NO_COMMUNE, "Aucune", ("aucune", "sans commune")))
    return out


def administration_choices(table) -> list[Choice]:
    return [Choice(name, name, (_folded(name), *(_folded(w) for w in words))) for name, words in table.administrations]


def _score(query: str, choice: Choice) -> float:
    name = choice.words[0]
    if name.startswith(query):
        return 400
    if any(word.startswith(query) for text in choice.words for word in text.split()):
        return 300
    if any(query in text for text in choice.words):
        return 200
    best = max(fuzz.partial_ratio(query, text) for text in choice.words) if len(query) >= 3 else 0
    return best if best >= FUZZY_FLOOR else 0


def rank(query: str, choices: list[Choice], limit: int = LIMIT) -> list[Choice]:
    """The choices matching what was typed, best first."""
    query = _folded(query)
    if not query:
        return []
    scored = [(score, choice) for choice in choices if (score := _score(query, choice))]
    scored.sort(key=lambda pair: (-pair[0], -pair[1].weight, pair[1].name))
    return [choice for _, choice in scored[:limit]]
