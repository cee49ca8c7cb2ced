"""How good a model is on a held-out split: accuracy, macro-F1, per-competence precision and
recall, confusion matrix, calibration, and the auto-routing thresholds for a target precision."""
from __future__ import annotations

import numpy as np
from sklearn.metrics import accuracy_score, confusion_matrix, f1_score, precision_recall_fscore_support

NEVER = 1.01  # a threshold no probability reaches: that competence always goes to review
CALIBRATION_BINS = 10


def measure(model, rows: list[dict], truth: list[str], target_precision: float) -> dict:
    """Every figure admins compare, computed on features already extracted for the split."""
    probabilities = model.predict_proba(rows)
    labels = list(model.classes_)
    predicted = [labels[i] for i in probabilities.argmax(axis=1)]
    confidence = probabilities.max(axis=1)
    codes = sorted(set(truth) | set(labels))
    precision, recall, f1, support = precision_recall_fscore_support(truth, predicted, labels=codes, zero_division=0)
    thresholds = choose_thresholds(predicted, confidence, truth, target_precision)
    return {
        "n": len(truth),
        "accuracy": round(accuracy_score(truth, predicted), 4),
        "macro_f1": round(f1_score(truth, predicted, labels=sorted(set(truth)), average="macro", zero_division=0), 4),
        "per_competence": {c: {"precision": round(p, 3), "recall": round(r, 3), "f1": round(f, 3), "support": int(s)}
                           for c, p, r, f, s in zip(codes, precision, recall, f1, support)},
        "confusion": {"labels": codes, "matrix": confusion_matrix(truth, predicted, labels=codes).tolist()},
        "calibration": calibration(confidence, [p == t for p, t in zip(predicted, truth)],
                                   probabilities, labels, truth),
        "target_precision": target_precision,
        "thresholds": thresholds,
        "auto_routing": auto_routing(predicted, confidence, truth, thresholds),
    }


def choose_thresholds(predicted: list[str], confidence, truth: list[str], target: float) -> dict[str, float]:
    """Per competence, the lowest top-1 probability above which predictions reach the target precision."""
    thresholds = {}
    for label in sorted(set(predicted)):
        pairs = sorted(((c, p == t) for p, c, t in zip(predicted, confidence, truth) if p == label),
                       key=lambda pair: -pair[0])
        best, correct = NEVER, 0
        for rank, (probability, right) in enumerate(pairs, 1):
            correct += right
            if correct / rank >= target:
                best = float(probability)  # everything at or above this probability is precise enough
        thresholds[label] = round(best, 4)
    return thresholds


def auto_routing(predicted, confidence, truth, thresholds: dict[str, float]) -> dict:
    routed = [(p, t) for p, c, t in zip(predicted, confidence, truth) if c >= thresholds.get(p, NEVER)]
    right = sum(p == t for p, t in routed)
    return {"share": round(len(routed) / len(truth), 4) if truth else 0.0,
            "precision": round(right / len(routed), 4) if routed else None, "n": len(routed)}


def calibration(confidence, correct: list[bool], probabilities, labels: list[str], truth: list[str]) -> dict:
    """Expected calibration error of the top-1 probability, multi-class Brier score, reliability bins."""
    confidence, correct = np.asarray(confidence), np.asarray(correct, dtype=float)
    edges = np.linspace(0, 1, CALIBRATION_BINS + 1)
    bins, ece = [], 0.0
    for low, high in zip(edges[:-1], edges[1:]):
        inside = (confidence > low) & (confidence <= high)
        if inside.any():
            gap = abs(confidence[inside].mean() - correct[inside].mean())
            ece += inside.mean() * gap
            bins.append({"from": round(low, 1), "to": round(high, 1), "n": int(inside.sum()),
                         "confidence": round(float(confidence[inside].mean()), 3),
                         "accuracy": round(float(correct[inside].mean()), 3)})
    onehot = np.array([[label == t for label in labels] for t in truth], dtype=float)
    brier = float(((probabilities - onehot) ** 2).sum(axis=1).mean()) if len(truth) else 0.0
    return {"ece": round(float(ece), 4), "brier": round(brier, 4), "bins": bins}


def not_worse(challenger: dict, champion: dict | None, tolerance: float = 0.005) -> bool:
    """The challenger may replace the champion if it is not worse on the same split."""
    if champion is None:
        return True
    return (challenger["macro_f1"] >= champion["macro_f1"] - tolerance
            and challenger["accuracy"] >= champion["accuracy"] - tolerance)
