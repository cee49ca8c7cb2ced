"""Training at scale: a challenger trained on N generated labelled items (default 50,000) through the
same code as `triage train` (held-out split, near-duplicate groups, out-of-fold thresholds,
champion comparison, model files), with its time and the peak memory of the process.

    OMP_THREAD_LIMIT=1 PYTHONPATH=$PWD .venv/bin/python bench/train_bench.py --items 50000

Items are made from the seed corpus: each mixes sentences of three letters of the same competence
with other names, numbers and dates, and one in ten is a copy of a campaign letter filled in by
someone else, as form letters come. The previous training (spaCy lemmas, a logistic regression
refitted) took 6 min 07 s and 1.42 GB for 50,000 items on this kind of machine (issue 15).
"""
from __future__ import annotations

import argparse
import json
import random
import re
import resource
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from pipeline.classify.dataset import Example  # noqa: E402
from pipeline.classify.lifecycle import train_and_decide  # noqa: E402

NAMES = ["Martin", "Bernard", "Dubois", "Thomas", "Robert", "Richard", "Petit", "Durand", "Leroy", "Moreau",
         "Simon", "Laurent", "Lefebvre", "Michel", "Garcia", "David", "Bertrand", "Roux", "Vincent", "Fournier"]


def generate(count: int, seed: int = 7) -> list[Example]:
    by_competence: dict[str, list[list[str]]] = defaultdict(list)
    for path in sorted((ROOT / "data/seed").glob("*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                row = json.loads(line)
                sentences = [s for s in re.split(r"(?<=[.!?])\s+|\n", row["text"]) if s.strip()]
                by_competence[row["competence"]].append(sentences)
    rng = random.Random(seed)
    codes = sorted(by_competence)
    campaigns = {code: _letter(by_competence[code], rng) for code in codes}
    examples = []
    for number in range(count):
        code = codes[number % len(codes)]
        text = campaigns[code] if rng.random() < 0.1 else _letter(by_competence[code], rng)
        text = re.sub(r"\d", lambda _: str(rng.randint(0, 9)), text)
        examples.append(Example(f"{text}\n{rng.choice(['M.', 'Mme'])} {rng.choice(NAMES)}", code,
                                origin="import:bench.csv"))
    return examples


def _letter(letters: list[list[str]], rng: random.Random) -> str:
    parts = []
    for sentences in rng.sample(letters, 3):
        start = rng.randrange(len(sentences))
        parts.extend(sentences[start:start + rng.randint(1, 3)])
    return "\n".join(parts)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--items", type=int, default=50_000)
    args = parser.parse_args()
    started = time.perf_counter()
    examples = generate(args.items)
    generated = time.perf_counter() - started
    with tempfile.TemporaryDirectory() as folder:
        wall, cpu = time.perf_counter(), time.process_time()
        result = train_and_decide(examples, Path(folder) / "models", target_precision=0.97)
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    figures = result.metrics
    print(f"{len(examples)} exemples générés en {generated:.1f} s")
    print(f"Entraînement (séparation, groupes de quasi-doublons, {result.challenger.metadata['out_of_fold']['folds']} "
          f"plis, seuils, enregistrement) : {wall:.1f} s (CPU {cpu:.1f} s), mémoire maximale {peak_mb:.0f} Mo")
    print(f"Échantillon réservé de {figures['n']} : exactitude {figures['accuracy']:.1%}, "
          f"orienté sans relecture {figures['auto_routing']['share']:.1%} "
          f"(précision {figures['auto_routing']['precision'] or 0:.1%})")
    print(f"Objectifs : moins de 60 s ({wall / 60:.2f} × l'objectif), moins de 1 500 Mo ({peak_mb / 1500:.2f} ×)")


if __name__ == "__main__":
    main()
