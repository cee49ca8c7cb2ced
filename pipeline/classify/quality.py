"""How good a model is on a held-out split: accuracy, macro-F1, per-competence precision and
recall, confusion matrix, calibration, and the auto-routing thresholds for a target precision."""
from __future__ import annotations

import math

import numpy as np
from sklearn.metrics import accuracy_score, confusion_matrix, f1_score, precision_recall_fscore_support

NEVER = 1.01  # a threshold no probability reaches: that competence always goes to review
CALIBRATION_BINS = 10
WILSON_Z = 1.645  # one-sided 95 %


def measure(model, rows: list[dict] | None, truth: list[str], target_precision: float,
            probabilities: np.ndarray | None = None) -> dict:
    """Every figure admins compare, computed on features already extracted for the split, or on
    `probabilities` already known for it (out-of-fold ones, columns in `model.classes_`)."""
    probabilities = model.predict_proba(rows) if probabilities is None else np.asarray(probabilities)
    labels = list(model.classes_)
    predicted = [labels[i] for i in probabilities.argmax(axis=1)]
    confidence = probabilities.max(axis=1)
    codes = sorted(set(truth) | set(labels))
    precision, recall, f1, support = precision_recall_fscore_support(truth, predicted, labels=codes, zero_division=0)
    # A model chosen its thresholds out of fold is judged on them; an older one chooses them here.
    thresholds = getattr(model, "thresholds", None) or choose_thresholds(predicted, confidence, truth,
                                                                           target_precision, labels)
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


def choose_thresholds(predicted: list[str], confidence, truth: list[str], target: float,
                      labels: list[str] | None = None, weights=None) -> dict[str, float]:
    """Per competence, the top-1 probability above which predictions go out without review.

    First one threshold for all, on every prediction pooled (per competence there are too few to
    prove anything): the lowest probability above which the lower bound of the precision's Wilson
    interval reaches the target. Then each competence whose own predictions above it are clearly
    less precise (the upper bound under the target) gets a higher threshold of its own, or NEVER
    (always reviewed) when none will do. Items of equal probability fall on the same side of a
    threshold: candidates are the distinct probabilities, each judged with all its ties.
    `weights` (default 1) let the copies of a form letter count together as one letter.
    """
    weights = [1.0] * len(predicted) if weights is None else [float(w) for w in weights]
    pairs = [(float(c), w * (p == t), p, w) for p, c, t, w in zip(predicted, confidence, truth, weights)]
    imprecise: set[str] = set()
    while True:  # a clearly imprecise competence leaves the pool, and the common threshold is judged again
        common = _lowest([pair for pair in pairs if pair[2] not in imprecise],
                         lambda correct, n: wilson_lower(correct, n) >= target)
        floor = common if common < NEVER else 0.0
        worse = {label for label in set(predicted) - imprecise if wilson_upper(*_tally(pairs, label, floor)) < target}
        if not worse:
            break
        imprecise |= worse
    thresholds = {}
    for label in sorted(set(labels or []) | set(predicted)):
        chosen = common
        if label in imprecise or common >= NEVER:
            chosen = _lowest([pair for pair in pairs if pair[2] == label],
                             lambda correct, n: wilson_lower(correct, n) >= target, floor=floor)
        # Down to the 4 decimals items carry (pipeline.item.Scored), so the threshold's own item stays routed.
        thresholds[label] = math.floor(chosen * 10_000) / 10_000 if chosen < NEVER else NEVER
    return thresholds


def _tally(pairs: list[tuple], label: str, floor: float) -> tuple[float, float]:
    """(right, predicted), weighted, for one competence's predictions at or above `floor`."""
    own = [(right, weight) for probability, right, predicted, weight in pairs
           if predicted == label and probability >= floor]
    return sum(r for r, _ in own), sum(w for _, w in own)


def _lowest(pairs: list[tuple], precise_enough, floor: float = 0.0) -> float:
    """The lowest distinct probability such that everything at or above it is precise enough."""
    ranked = sorted(pairs, key=lambda pair: -pair[0])
    best, correct, seen = NEVER, 0.0, 0.0
    for index, (probability, right, _, weight) in enumerate(ranked):
        correct, seen = correct + right, seen + weight
        tied_with_next = index + 1 < len(ranked) and ranked[index + 1][0] == probability
        if not tied_with_next and probability >= floor and precise_enough(correct, seen):
            best = probability
    return best


def wilson_lower(correct: float, n: float, z: float = WILSON_Z) -> float:
    """Lower bound of the Wilson score interval of a proportion (0 without observations)."""
    return _wilson(correct, n, -z) if n else 0.0


def wilson_upper(correct: float, n: float, z: float = WILSON_Z) -> float:
    """Upper bound of the Wilson score interval of a proportion (1 without observations)."""
    return _wilson(correct, n, z) if n else 1.0


def _wilson(correct: float, n: float, z: float) -> float:
    share = min(correct / n, 1.0)
    centre = share + z * z / (2 * n)
    spread = abs(z) * np.sqrt(share * (1 - share) / n + z * z / (4 * n * n))
    return float((centre + (spread if z > 0 else -spread)) / (1 + z * z / n))


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


def not_worse(challenger: dict, champion: dict | None, tolerance: float = 0.01) -> bool:
    """The challenger may replace the champion if it is not worse on the same split, within one point:
    both are measured out of fold, and adding examples moves the folds, which alone moves the figures
    of a 250-letter split by about that much."""
    if champion is None:
        return True
    return (challenger["macro_f1"] >= champion["macro_f1"] - tolerance
            and challenger["accuracy"] >= champion["accuracy"] - tolerance)
