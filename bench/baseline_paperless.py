"""Baseline: the approach of paperless-ngx (word 1-2-gram counts and an MLPClassifier), trained on
the same examples and measured on the same held-out split as ours, in the same run; and, when a
labelled folder is given, on its documents too (text extracted by our own extraction for both).

    .venv/bin/python bench/baseline_paperless.py --labelled ../shared/eval/dev
"""
from __future__ import annotations

import argparse
import re
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sklearn.feature_extraction.text import CountVectorizer  # noqa: E402
from sklearn.metrics import accuracy_score, f1_score  # noqa: E402
from sklearn.neural_network import MLPClassifier  # noqa: E402
from sklearn.pipeline import Pipeline  # noqa: E402

from pipeline.classify.dataset import split  # noqa: E402
from pipeline.classify.features import featurize  # noqa: E402
from pipeline.classify.training import fit  # noqa: E402
from pipeline.config import load_settings  # noqa: E402
from pipeline.learning import gather  # noqa: E402


def paperless_preprocess(text: str) -> str:
    """As paperless-ngx's classifier does: lower case, words only."""
    return re.sub(r"\W+", " ", text.lower())


def paperless_model() -> Pipeline:
    return Pipeline([("counts", CountVectorizer(analyzer="word", ngram_range=(1, 2), min_df=0.01)),
                     ("mlp", MLPClassifier(tol=0.01, random_state=42))])


def scores(truth, predicted) -> str:
    return (f"exactitude {accuracy_score(truth, predicted):.1%}, "
            f"F1 macro {f1_score(truth, predicted, average='macro', labels=sorted(set(truth)), zero_division=0):.1%}")


def labelled_texts(folder: Path, settings) -> tuple[list[str], list[str]]:
    from pipeline.classify.evaluation import load_labels
    from pipeline.item import Document
    from pipeline.stages import extract, ocr_pool
    labels = load_labels(folder)
    documents = [Document("bench", str(folder / l.file), l.file, (folder / l.file).read_bytes()) for l in labels]
    with ocr_pool(settings.ocr.workers) as pool:
        outcomes = extract(documents, settings.ocr, pool)
    return [o.item.text if o.item else "" for o in outcomes], [l.competence for l in labels]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--labelled", type=Path, help="a labelled folder (eval format) to measure on as well")
    args = parser.parse_args()
    settings = load_settings(ROOT / "config/triage.toml")
    train, held_out = split(gather(settings, None))
    started = time.perf_counter()
    ours = fit(train)
    ours_seconds = time.perf_counter() - started
    started = time.perf_counter()
    baseline = paperless_model().fit([paperless_preprocess(e.text) for e in train], [e.competence for e in train])
    baseline_seconds = time.perf_counter() - started
    print(f"entraînement sur {len(train)} exemples : triage {ours_seconds:.1f} s, paperless-ngx {baseline_seconds:.1f} s")
    sets = [("échantillon réservé", [e.text for e in held_out], [e.competence for e in held_out])]
    if args.labelled:
        sets.append((str(args.labelled), *labelled_texts(args.labelled, settings)))
    for name, texts, truth in sets:
        print(f"{name} ({len(texts)} documents)")
        print(f"  triage        : {scores(truth, ours.predict(featurize(texts)))}")
        print(f"  paperless-ngx : {scores(truth, baseline.predict([paperless_preprocess(t) for t in texts]))}")


if __name__ == "__main__":
    main()
