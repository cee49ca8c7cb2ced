"""Dates as French letters write them: "14 mars 2025", "1er avril 2026", "14/03/2025", "14.03.25".

Read on accent-folded, lowercased text (nlp.fold). A date without its year ("le 8 avril") is not a
full date: it is not guessed.
"""
from __future__ import annotations

import re
from datetime import date

MONTHS = {"janvier": 1, "janv": 1, "fevrier": 2, "fevr": 2, "fev": 2, "mars": 3, "avril": 4, "avr": 4, "mai": 5,
          "juin": 6, "juillet": 7, "juil": 7, "aout": 8, "septembre": 9, "sept": 9, "octobre": 10, "oct": 10,
          "novembre": 11, "nov": 11, "decembre": 12, "dec": 12}
DAY = r"(?P<day>[0-3]?\d|1er|ler|premier)"
WRITTEN = re.compile(DAY + r"\s*(?P<month>[a-z]{3,12})\.?\s*(?P<year>(?:19|20)\d\d)?\b")
NUMERIC = re.compile(r"\b(?P<day>[0-3]?\d)\s?[/.\-\s]\s?(?P<month>[01]?\d)\s?[/.\-\s]\s?(?P<year>(?:19|20)?\d\d)\b")


def parse_date(folded: str) -> tuple[date | None, bool]:
    """The first date written at the start of `folded` (after optional weekday words): (date, found).

    `found` is True when something shaped like a date was there, even without its year (then date is None)."""
    text = re.sub(r"^\W*(lundi|mardi|mercredi|jeudi|vendredi|samedi|dimanche)?\W*", "", folded)
    numeric = NUMERIC.match(text)
    if numeric:
        year = int(numeric["year"])
        year = year + 2000 if year < 100 else year
        return _date(year, int(numeric["month"]), numeric["day"]), True
    written = WRITTEN.match(text)
    if written and _month(written["month"]):
        if not written["year"]:
            return None, True
        return _date(int(written["year"]), _month(written["month"]), written["day"]), True
    return None, False


def find_date(folded: str) -> date | None:
    """The first full date anywhere in `folded` ("suite à mon courrier du 3 mars 2026")."""
    for match in re.finditer(r"\b(?=\d|1er|premier)", folded):
        found, _ = parse_date(folded[match.start():])
        if found is not None:
            return found
    return None


def _month(word: str) -> int | None:
    if word in MONTHS:
        return MONTHS[word]
    # OCR drops or swaps a letter of a long month name ("septernbre", "decernbre")
    for name, number in MONTHS.items():
        if len(name) >= 6 and len(word) >= 6 and word[:3] == name[:3] and word[-3:] == name[-3:]:
            return number
    return None


def _date(year: int, month: int, day: str) -> date | None:
    number = 1 if day in ("1er", "ler", "premier") else int(day)
    try:
        return date(year, month, number)
    except ValueError:
        return None
