"""Training the competence model from labelled examples (seed corpus, later clerks' decisions)."""
from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from sklearn.linear_model import LogisticRegression
from sklearn.metrics import accuracy_score, f1_score
from sklearn.model_selection import train_test_split
from sklearn.pipeline import Pipeline

from pipeline.classify.features import featurize, vectorizer
from pipeline.errors import ConfigError


@dataclass(frozen=True)
class Example:
    text: str
    competence: str
    commune: str | None = None
    origin: str = "seed"


def load_seed(seed_dir: Path, codes: set[str]) -> list[Example]:
    """The seed corpus: one JSONL file per competence code."""
    examples = []
    for path in sorted(Path(seed_dir).glob("*.jsonl")):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if not line.strip():
                continue
            row = json.loads(line)
            if row["competence"] not in codes:
                raise ConfigError(f"{path}:{number} : code de compétence inconnu {row['competence']!r}")
            examples.append(Example(row["text"], row["competence"], row.get("commune"), f"seed:{path.stem}"))
    if not examples:
        raise ConfigError(f"aucun exemple d'entraînement dans {seed_dir}")
    return examples


def build_pipeline() -> Pipeline:
    return Pipeline([
        ("features", vectorizer()),
        ("classifier", LogisticRegression(C=20.0, max_iter=3000, class_weight="balanced")),
    ])


def fit(examples: list[Example]) -> Pipeline:
    model = build_pipeline()
    model.fit(featurize([e.text for e in examples]), [e.competence for e in examples])
    return model


def holdout_metrics(examples: list[Example], test_size: float = 0.2, seed: int = 13) -> dict:
    """Accuracy and macro-F1 of a model trained on part of the examples and tested on the rest."""
    train, test = train_test_split(examples, test_size=test_size, random_state=seed,
                                   stratify=[e.competence for e in examples])
    model = fit(train)
    predicted = model.predict(featurize([e.text for e in test]))
    truth = [e.competence for e in test]
    return {"holdout_accuracy": round(accuracy_score(truth, predicted), 4),
            "holdout_macro_f1": round(f1_score(truth, predicted, average="macro"), 4),
            "holdout_size": len(test)}


def training_summary(examples: list[Example]) -> dict:
    return {"n_examples": len(examples),
            "by_competence": dict(sorted(Counter(e.competence for e in examples).items())),
            "by_origin": dict(Counter(e.origin.split(":")[0] for e in examples))}
