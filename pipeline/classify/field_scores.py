"""Comparing registration fields with the labels of an evaluation set (`fields` in ../shared/eval/README.md).

- sender_name: the family name, accents and case aside: the label's family name (the last word of
  its name, before a role after a dash or a comma; "Karine Delorme, Députée" → "delorme") must be a
  word of the prediction; for an organisation, a prediction whose words (two at least) are all in
  the label also counts ("Club du Temps Libre" for "Club du Temps Libre de Dannemarie").
- sender_postcode: equal. sender_town: equal, accents, case, hyphens and spaces aside.
- letter_date: equal ISO dates; a label null is not scored.
- subject: equal once accents, case and punctuation are set aside, with a similarity of at least
  90 % (OCR noise: "=" read for "–"); a label null expects no subject (null or empty).
"""
from __future__ import annotations

import re

from rapidfuzz import fuzz

from pipeline.understand.nlp import fold

FIELDS = ("sender_name", "sender_postcode", "sender_town", "letter_date", "subject")
SUBJECT_SIMILARITY = 90


def words(text: str | None) -> list[str]:
    return re.findall(r"[a-z0-9]+", fold(text or ""))


def field_correct(field: str, expected, predicted) -> bool | None:
    """True or False, or None when the field is not scored for this label."""
    if field == "letter_date":
        return None if expected is None else expected == predicted
    if field == "subject":
        if expected is None:
            return not predicted
        return fuzz.ratio(" ".join(words(expected)), " ".join(words(predicted))) >= SUBJECT_SIMILARITY
    if expected is None:
        return None
    if field == "sender_name":
        return same_sender(expected, predicted or "")
    if field == "sender_town":
        return "".join(words(expected)) == "".join(words(predicted))
    return (expected or "") == (predicted or "")


def same_sender(expected: str, predicted: str) -> bool:
    main = re.split(r"\s[–—-]\s|,", expected)[0]
    label, guess = words(main), set(words(predicted))
    if label and label[-1] in guess:
        return True
    significant = [w for w in words(predicted) if len(w) > 2]
    return len(significant) >= 2 and set(significant) <= set(label)


def field_scores(items: list[dict]) -> dict:
    """Share of correct fields over the scored labels: {field: {"n": scored, "correct": share}}."""
    out = {}
    for field in FIELDS:
        marks = [m for m in (item.get("field_marks", {}).get(field) for item in items) if m is not None]
        out[field] = {"n": len(marks), "correct": round(sum(marks) / len(marks), 4) if marks else None}
    return out
