"""Texts of a labelled folder, extracted once (OCR included) and kept in a cache file, so that
classifier benchmarks and ablations re-run in seconds instead of re-reading every scan.

The cache is keyed by each file's sha256: a changed file is read again. Only the reading stage is
cached; places, competence and routing always run with the current code.
"""
from __future__ import annotations

import hashlib
import pickle
from pathlib import Path

from pipeline.classify.evaluation import Labelled, load_labels
from pipeline.config import Settings
from pipeline.item import Document, Item

DEFAULT_CACHE = Path("var/cache/labelled")


def labelled_items(folder: Path, settings: Settings, cache_dir: Path = DEFAULT_CACHE) -> list[tuple[Labelled, Item | None]]:
    """(label, extracted item or None when unreadable) for every labelled file, in label order."""
    from pipeline.stages import extract, ocr_pool
    labels = load_labels(folder)
    cache_dir.mkdir(parents=True, exist_ok=True)
    cache_file = cache_dir / f"{Path(folder).resolve().name}.pickle"
    cache: dict[str, Item | None] = pickle.loads(cache_file.read_bytes()) if cache_file.exists() else {}
    data = {l.file: (Path(folder) / l.file).read_bytes() for l in labels}
    keys = {name: hashlib.sha256(content).hexdigest() for name, content in data.items()}
    missing = [l for l in labels if keys[l.file] not in cache]
    if missing:
        documents = [Document("bench", str(Path(folder) / l.file), Path(l.file).name, data[l.file]) for l in missing]
        with ocr_pool(settings.ocr.workers, settings.limits) as pool:
            outcomes = extract(documents, settings.ocr, pool, settings.limits)
        for label, outcome in zip(missing, outcomes):
            cache[keys[label.file]] = outcome.item
        cache_file.write_bytes(pickle.dumps(cache))
    return [(l, cache[keys[l.file]]) for l in labels]
