"""Groups of near-duplicate texts (form letters, campaigns, the same email sent twice), so that
one group never straddles the folds or the held-out split: a copy on each side would make the model
look surer and better than it is, and the thresholds chosen from it would not hold.

MinHash on word 3-shingles with banded locality-sensitive hashing proposes candidate pairs in
linear time; a candidate joins a group only if the Jaccard similarity of its shingles really is at
least `SIMILAR`.
"""
from __future__ import annotations

from zlib import crc32

import numpy as np

SIMILAR = 0.5
SHINGLE = 3
BANDS, ROWS = 20, 4  # P(candidate) ≈ 0.996 at Jaccard 0.7, 0.7 at 0.5, 0.002 at 0.1
_rng = np.random.default_rng(20261203)
_MULTIPLY = (_rng.integers(1, 2**62, BANDS * ROWS, dtype=np.uint64) * 2 + 1).astype(np.uint64)
_ADD = _rng.integers(0, 2**62, BANDS * ROWS, dtype=np.uint64)


def shingles(words: str) -> frozenset[int]:
    """crc32, not `hash`: Python salts string hashes per process, and the groups (so the folds, the
    out-of-fold figures and the champion comparison) must not change from one training to the next."""
    tokens = words.split()
    if len(tokens) <= SHINGLE:
        return frozenset([crc32(" ".join(tokens).encode())])
    return frozenset(crc32(" ".join(tokens[i:i + SHINGLE]).encode()) for i in range(len(tokens) - SHINGLE + 1))


def _signature(items: frozenset[int]) -> np.ndarray:
    values = np.fromiter((h & 0xFFFFFFFFFFFFFFFF for h in items), dtype=np.uint64, count=len(items))
    with np.errstate(over="ignore"):
        mixed = (_MULTIPLY[:, None] * values[None, :] + _ADD[:, None]) >> np.uint64(32)
    return mixed.min(axis=1)


def jaccard(a: frozenset[int], b: frozenset[int]) -> float:
    return len(a & b) / len(a | b) if a or b else 1.0


def groups(texts: list[str]) -> list[int]:
    """A group number per text (texts are word sequences, e.g. the classifier's stemmed words)."""
    parent = list(range(len(texts)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    sets = [shingles(t) for t in texts]
    buckets: dict[tuple, list[int]] = {}
    for index, items in enumerate(sets):
        signature = _signature(items)
        for band in range(BANDS):
            key = (band, signature[band * ROWS:(band + 1) * ROWS].tobytes())
            members = buckets.setdefault(key, [])
            for other in members:
                if root(other) != root(index) and jaccard(items, sets[other]) >= SIMILAR:
                    parent[root(index)] = root(other)
                    break
            if len(members) < 4:  # a few representatives per bucket bound the work on huge campaigns
                members.append(index)
    return [root(i) for i in range(len(texts))]
