"""Measuring the whole chain on a labelled set (format: shared eval README): no database needed."""
from __future__ import annotations

import json
import time
from collections import Counter, defaultdict
from dataclasses import dataclass
from pathlib import Path

from sklearn.metrics import f1_score

from pipeline.classify.field_scores import FIELDS, field_correct, field_scores
from pipeline.errors import ConfigError
from pipeline.item import Document
from pipeline.stages import Stages
from pipeline.status import ItemStatus

CHUNK = 8


@dataclass(frozen=True)
class Labelled:
    file: str
    competence: str
    commune: str | None
    urgent: bool | None
    shape: str
    fields: dict | None = None  # registration labels of a paper letter


def load_labels(directory: Path) -> list[Labelled]:
    path = Path(directory) / "labels.jsonl"
    if not path.exists():
        raise ConfigError(f"{path} introuvable : un jeu étiqueté contient labels.jsonl")
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    return [Labelled(r["file"], r["competence"], r.get("commune"), r.get("urgent"), r.get("shape", "?"), r.get("fields"))
            for r in rows]


def evaluate(directory: Path, stages: Stages, pool) -> dict:
    """Run every labelled file through the same stages as `triage run` and compare."""
    labels = load_labels(directory)
    started = time.perf_counter()
    rows = []
    for start in range(0, len(labels), CHUNK):
        chunk = labels[start:start + CHUNK]
        documents = [Document("evaluation", str(Path(directory) / l.file), Path(l.file).name,
                              (Path(directory) / l.file).read_bytes()) for l in chunk]
        for label, outcome in zip(chunk, stages.process(documents, pool)):
            item = outcome.item
            fields = registration_fields(item)
            rows.append({"fields": fields, "field_marks": {name: field_correct(name, label.fields[name], fields[name])
                                                           for name in FIELDS} if label.fields else {},"file": label.file, "shape": label.shape, "competence": label.competence,
                         "commune": label.commune, "urgent": label.urgent,
                         "predicted_competence": item.competence if item else None,
                         "predicted_commune": item.commune if item else None,
                         "predicted_urgent": item.urgent if item else None,
                         "confidence": item.competences[0].probability if item and item.competences else None,
                         "auto_routed": bool(item and item.routing and item.routing.status == ItemStatus.ROUTED),
                         "error": outcome.error})
    elapsed = time.perf_counter() - started
    return {**_metrics(rows), "fields_correct": field_scores(rows), "by_shape": {shape: _metrics(group) for shape, group in _group(rows).items()},
            "confusions": _confusions(rows), "seconds_per_item": round(elapsed / max(len(rows), 1), 3),
            "errors": [{"file": r["file"], "error": r["error"]} for r in rows if r["error"]], "items": rows}


def registration_fields(item) -> dict:
    """What `--items` shows of an item's registration: the fields the labels name."""
    if item is None:
        return dict.fromkeys(FIELDS)
    found = item.registration
    return {"sender_name": item.sender or None, "sender_postcode": found.postcode or None,
            "sender_town": found.town or None,
            "letter_date": found.letter_date.isoformat() if found.letter_date else None,
            "subject": (found.objet if item.channel == "courrier" else item.subject) or None}


def items_view(report: dict) -> list[dict]:
    """One object per labelled file, as `triage evaluate --json --items` prints it."""
    return [{"file": r["file"], "competence": r["predicted_competence"], "commune": r["predicted_commune"],
             "urgent": r["predicted_urgent"], "fields": r["fields"]} for r in report["items"]]


def _metrics(rows: list[dict]) -> dict:
    n = len(rows)
    truth = [r["competence"] for r in rows]
    predicted = [r["predicted_competence"] or "(aucune)" for r in rows]
    urgent = [r for r in rows if r["urgent"] is not None]
    auto = [r for r in rows if r["auto_routed"]]
    return {
        "n": n,
        "competence_accuracy": round(sum(t == p for t, p in zip(truth, predicted)) / n, 4) if n else 0.0,
        "competence_macro_f1": round(f1_score(truth, predicted, average="macro", labels=sorted(set(truth)),
                                              zero_division=0), 4) if n else 0.0,
        "commune_accuracy": round(sum(r["commune"] == r["predicted_commune"] for r in rows) / n, 4) if n else 0.0,
        "urgent_accuracy": round(sum(r["urgent"] == r["predicted_urgent"] for r in urgent) / len(urgent), 4)
        if urgent else None,
        "auto_routed_share": round(len(auto) / n, 4) if n else 0.0,
        "auto_routed_precision": round(sum(r["competence"] == r["predicted_competence"] for r in auto) / len(auto), 4)
        if auto else None,
    }


def _group(rows: list[dict]) -> dict[str, list[dict]]:
    groups: dict[str, list[dict]] = defaultdict(list)
    for row in rows:
        groups[row["shape"]].append(row)
    return dict(sorted(groups.items()))


def _confusions(rows: list[dict], top: int = 10) -> list[dict]:
    pairs = Counter((r["competence"], r["predicted_competence"]) for r in rows
                    if r["competence"] != r["predicted_competence"])
    return [{"expected": e, "predicted": p, "count": c} for (e, p), c in pairs.most_common(top)]
