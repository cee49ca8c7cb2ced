"""What the classifier sees: stemmed words for meaning, character n-grams for OCR-mangled words.

Words are found by a regular expression and reduced by the Snowball French stemmer (PyStemmer,
C): a thousand letters take a fraction of a second, where spaCy's tagger and lemmatizer took
about 29 ms each for the same accuracy on our sets (bench/classify_ablation.py measures both).
The same `featurize` runs when training and when predicting, on the first `CAP` characters.

The métropole's own address and the letter's boilerplate say nothing about the request, so the
recipient lines are dropped before anything else.
"""
from __future__ import annotations

import re
from functools import cache, lru_cache
from itertools import chain
from zlib import crc32

import numpy as np
import Stemmer
from scipy.sparse import csr_matrix, diags
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.pipeline import FeatureUnion, Pipeline
from sklearn.preprocessing import FunctionTransformer, normalize
from spacy.lang.fr.stop_words import STOP_WORDS

from pipeline.understand.nlp import fold
from pipeline.understand.zones import line_zones

CAP = 8000  # characters read per text: a request is stated in its first page
WORD = re.compile(r"[^\W\d_]{2,}")  # letters only: numbers (dates, amounts, references) are noise here
STOP = frozenset(STOP_WORDS)


@cache
def _stemmer() -> Stemmer.Stemmer:
    return Stemmer.Stemmer("french")


def strip_recipient(text: str) -> str:
    return "\n".join(text[start:end] for start, end, zone in line_zones(text) if zone != "recipient")


def featurize(texts: list[str], nlp=None) -> list[dict[str, str]]:
    """The views the vectorizers read, one dict per text. `nlp` is accepted for callers that pass
    the run's spaCy pipeline; nothing here needs it any more."""
    stem = _stemmer().stemWords
    rows = []
    for text in texts:
        body = strip_recipient(text[:CAP])
        words = [w for w in WORD.findall(body.lower()) if w not in STOP]
        rows.append({"words": fold(" ".join(stem(words))), "chars": " ".join(fold(body).split())})
    return rows


def words_view(rows: list[dict[str, str]]) -> list[str]:
    return [r["words"] for r in rows]


class CharGrams(TransformerMixin, BaseEstimator):
    """TF-IDF of hashed character 3- to 5-grams of each word (like `char_wb`), computed once per
    distinct word and cached: a letter is a sum of word vectors, so 50,000 texts cost the words
    they share once, not once per occurrence. Hashing (crc32, stable across processes) needs no
    vocabulary, and an OCR-mangled word still shares most of its n-grams with the right one."""

    def __init__(self, n_features: int = 2 ** 18):
        self.n_features = n_features

    def fit(self, rows: list[dict], y=None) -> "CharGrams":
        counts = self._counts(rows)
        frequency = np.bincount(counts.indices, minlength=self.n_features)
        self.idf_ = (np.log((1 + counts.shape[0]) / (1 + frequency)) + 1).astype(np.float32)
        return self

    def transform(self, rows: list[dict]):
        counts = self._counts(rows).astype(np.float32)
        np.log1p(counts.data, out=counts.data)
        weighted = counts @ diags(self.idf_)
        return normalize(weighted.tocsr(), copy=False)

    def _counts(self, rows: list[dict]):
        index: dict[str, int] = {}
        cols, pointers = [], [0]
        for row in rows:
            for word in row["chars"].split():
                cols.append(index.setdefault(word, len(index)))
            pointers.append(len(cols))
        words = csr_matrix((np.ones(len(cols), dtype=np.float32), cols, pointers), shape=(len(rows), len(index)))
        grams = [_grams(word, self.n_features) for word in index]
        lengths = [len(g) for g in grams]
        by_word = csr_matrix((np.ones(sum(lengths), dtype=np.float32), np.fromiter(chain.from_iterable(grams), np.int64),
                              np.concatenate([[0], np.cumsum(lengths)])), shape=(len(index), self.n_features))
        counts = (words @ by_word).tocsr()
        counts.sum_duplicates()
        return counts


@lru_cache(maxsize=500_000)
def _grams(word: str, n_features: int) -> tuple[int, ...]:
    padded = f" {word} "
    grams = [padded[i:i + n] for n in (3, 4, 5) for i in range(len(padded) - n + 1)] or [padded]
    return tuple(crc32(g.encode()) % n_features for g in grams)


def vectorizer(chars: bool = True) -> FeatureUnion:
    views = [("words", Pipeline([("view", FunctionTransformer(words_view)),
                                 ("tfidf", TfidfVectorizer(ngram_range=(1, 2), min_df=2, sublinear_tf=True,
                                                           dtype=np.float32))]))]
    if chars:
        views.append(("chars", CharGrams()))
    return FeatureUnion(views)
