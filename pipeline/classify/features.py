"""What the classifier sees: spaCy lemmas for meaning, character n-grams for OCR-mangled words.

The métropole's own address and the letter's boilerplate say nothing about the request, so the
recipient lines are dropped before anything else.
"""
from __future__ import annotations

from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.pipeline import FeatureUnion, Pipeline
from sklearn.preprocessing import FunctionTransformer
from spacy.language import Language

from pipeline.understand.nlp import fold, load_nlp
from pipeline.understand.zones import line_zones

KEEP_POS = {"NOUN", "VERB", "ADJ", "PROPN", "ADV", "NUM"}


def strip_recipient(text: str) -> str:
    return "\n".join(text[start:end] for start, end, zone in line_zones(text) if zone != "recipient")


def featurize(texts: list[str], nlp: Language | None = None) -> list[dict[str, str]]:
    """Turn texts into the two views the vectorizers read; spaCy runs here, once per text.

    `nlp` is the pipeline the caller loaded once; tools that train outside a run may leave it to
    this process's shared one."""
    nlp = nlp or load_nlp()
    cleaned = [strip_recipient(t)[:20000] for t in texts]
    docs = nlp.pipe(cleaned, batch_size=32)
    out = []
    for text, doc in zip(cleaned, docs):
        lemmas = " ".join(fold(t.lemma_) for t in doc if t.pos_ in KEEP_POS and not t.is_stop and len(t) > 1)
        out.append({"lemmas": lemmas, "raw": " ".join(fold(text).split())})
    return out


def lemmas_view(rows: list[dict[str, str]]) -> list[str]:
    return [r["lemmas"] for r in rows]


def raw_view(rows: list[dict[str, str]]) -> list[str]:
    return [r["raw"] for r in rows]


def vectorizer() -> FeatureUnion:
    return FeatureUnion([
        ("words", Pipeline([("view", FunctionTransformer(lemmas_view)),
                            ("tfidf", TfidfVectorizer(ngram_range=(1, 2), min_df=2, sublinear_tf=True))])),
        ("chars", Pipeline([("view", FunctionTransformer(raw_view)),
                            ("tfidf", TfidfVectorizer(analyzer="char_wb", ngram_range=(3, 5), min_df=2,
                                                      sublinear_tf=True, max_features=150_000))])),
    ])
