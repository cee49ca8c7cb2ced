"""What goes wrong on a labelled folder, item by item: the misses (competence or commune) and the
items sent to review, with the top probabilities, the threshold and the reasons a clerk reads.

    OMP_THREAD_LIMIT=1 PYTHONPATH=$PWD .venv/bin/python bench/classify_misses.py ../shared/eval/dev

Reads through the extraction cache of bench/labelled_cache.py. For looking at errors only: what is
learnt from it goes into the knowledge book or the reference data as general facts, never as texts.
"""
from __future__ import annotations

import argparse
import sys
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "bench")]

from labelled_cache import labelled_items  # noqa: E402
from pipeline.config import load_settings  # noqa: E402
from pipeline.stages import Stages  # noqa: E402
from pipeline.status import ItemStatus  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("folder", type=Path)
    parser.add_argument("--all", action="store_true", help="every item, not only misses and reviews")
    parser.add_argument("--text", type=int, default=0, help="characters of text shown per item")
    args = parser.parse_args()
    settings = load_settings(ROOT / "config/triage.toml")
    cached = labelled_items(args.folder, settings)
    stages = Stages.load(settings)
    present = [(label, item) for label, item in cached if item is not None]
    items = stages.route_all(stages.classify(stages.understand_all([i for _, i in present])), today=date(2026, 12, 1))
    counts = {"miss": 0, "review": 0, "auto": 0, "auto_wrong": 0, "commune": 0}
    for (label, _), item in zip(present, items):
        auto = item.routing.status == ItemStatus.ROUTED
        wrong = item.competence != label.competence
        commune_wrong = item.commune != label.commune
        counts["miss"] += wrong
        counts["commune"] += commune_wrong
        counts["auto"] += auto
        counts["auto_wrong"] += auto and wrong
        counts["review"] += not auto
        if not (args.all or wrong or commune_wrong or not auto):
            continue
        mark = ("MISS " if wrong else "") + ("COMMUNE " if commune_wrong else "") + ("auto" if auto else "review")
        top = " ".join(f"{s.label}:{s.probability:.2f}" for s in item.competences)
        print(f"{label.file} [{label.shape}] {mark}: truth {label.competence}/{label.commune} → "
              f"{item.competence}/{item.commune} | {top} | thr {stages.model.threshold(item.competence, 0.55):.2f}")
        for reason in item.routing.reasons:
            print(f"    - {reason}")
        if args.text:
            print("    " + " ".join(item.text.split())[:args.text])
    n = len(cached)
    print(f"\n{n} items: {counts['miss']} competence misses, {counts['commune']} commune misses, "
          f"{counts['auto']} auto ({counts['auto'] / n:.1%}), {counts['auto_wrong']} wrong among them, "
          f"{len(cached) - len(present)} unreadable")


if __name__ == "__main__":
    main()
