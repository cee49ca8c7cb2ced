"""Labelled examples for training: the seed corpus, imported historical mail, the clerks' decisions.

The held-out split moves forward in time as in real use: the most recent dated examples are
kept for testing; undated seed examples contribute a fixed stratified share.
"""
from __future__ import annotations

import csv
import json
from collections import Counter
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sklearn.model_selection import train_test_split

from pipeline.errors import ConfigError

HOLDOUT_SHARE = 0.2


@dataclass(frozen=True)
class Example:
    text: str
    competence: str
    commune: str | None = None
    origin: str = "seed"  # seed:<file>, review:<chrono>, import:<file>
    received_at: datetime | None = None


def load_seed(seed_dir: Path, codes: set[str]) -> list[Example]:
    """The seed corpus: one JSONL file per competence code."""
    examples = []
    for path in sorted(Path(seed_dir).glob("*.jsonl")):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if not line.strip():
                continue
            row = json.loads(line)
            _check_code(row["competence"], codes, f"{path}:{number}")
            examples.append(Example(row["text"], row["competence"], row.get("commune"), f"seed:{path.stem}"))
    if not examples:
        raise ConfigError(f"aucun exemple d'entraînement dans {seed_dir}")
    return examples


def read_csv(path: Path, codes: set[str]) -> list[Example]:
    """A CSV with columns text, competence and optionally commune, received_at (ISO date)."""
    with Path(path).open(encoding="utf-8-sig", newline="") as handle:
        sample = handle.read(4096)
        handle.seek(0)
        dialect = csv.Sniffer().sniff(sample, delimiters=",;\t")
        rows = list(csv.DictReader(handle, dialect=dialect))
    if rows and not {"text", "competence"} <= set(rows[0]):
        raise ConfigError(f"{path} : colonnes « text » et « competence » attendues")
    examples = []
    for number, row in enumerate(rows, 2):
        _check_code(row["competence"], codes, f"{path}:{number}")
        received = datetime.fromisoformat(row["received_at"]) if row.get("received_at") else None
        examples.append(Example(row["text"], row["competence"], row.get("commune") or None,
                                f"import:{Path(path).name}", received))
    return examples


def _check_code(code: str, codes: set[str], where: str) -> None:
    if code not in codes:
        raise ConfigError(f"{where} : code de compétence inconnu {code!r}")


def split(examples: list[Example], share: float = HOLDOUT_SHARE, seed: int = 13) -> tuple[list[Example], list[Example]]:
    """(train, held-out): the latest dated examples, plus a stratified share of the undated ones."""
    dated = sorted((e for e in examples if e.received_at is not None), key=lambda e: e.received_at)
    undated = [e for e in examples if e.received_at is None]
    cut = len(dated) - int(round(len(dated) * share))
    train, test = dated[:cut], dated[cut:]
    if undated:
        labels = [e.competence for e in undated]
        stratify = labels if min(labels.count(l) for l in set(labels)) >= 2 else None
        undated_train, undated_test = train_test_split(undated, test_size=share, random_state=seed, stratify=stratify)
        train, test = train + undated_train, test + undated_test
    return train, test


def summary(examples: list[Example]) -> dict:
    return {"n_examples": len(examples),
            "by_competence": dict(sorted(Counter(e.competence for e in examples).items())),
            "by_origin": dict(Counter(e.origin.split(":")[0] for e in examples))}
