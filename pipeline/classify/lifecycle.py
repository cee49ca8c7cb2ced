"""Champion and challenger: train a new model, measure it next to the active one on the same
held-out split, and make it active only if it is not worse (or if the admin forces it)."""
from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from pipeline.classify.dataset import Example, split, summary
from pipeline.classify.features import featurize, featurize_many
from pipeline.classify.model_files import (ModelInfo, active_version, load_model, read_trusted, save_model,
                                          write_sidecar)
from pipeline.classify.plots import confusion_png
from pipeline.classify.progress import training_progress
from pipeline.classify.quality import measure, not_worse
from pipeline.classify.near_duplicates import groups as near_duplicate_groups
from pipeline.classify.training import Progress, fit, fit_out_of_fold
from pipeline.errors import ModelError

TRAINED_SUFFIX = ".trained.txt"  # fingerprints of the texts a version was trained on, one per line
MIN_COMPARISON = 30  # held-out examples needed for a fair comparison with the champion


@dataclass(frozen=True)
class TrainingResult:
    challenger: ModelInfo
    metrics: dict
    champion_version: str | None
    champion_metrics: dict | None
    compared: dict  # the challenger's figures on the same examples as the champion's
    promoted: bool
    reason: str  # French, for the admin


def train_and_decide(examples: list[Example], model_dir: Path, *, target_precision: float, force: bool = False,
                     fitter: Callable[[list[Example]], object] | None = None,
                     progress: Progress | None = None) -> TrainingResult:
    """Train, measure both models on the newest part, store, promote if not worse.

    The model is fitted once on every example, the held-out part included: each held-out example
    is measured by the out-of-fold probability of a fold model that never saw it nor its
    near-duplicates, so the figures and thresholds are the ones the stored model really has, and
    no example is withheld from it. (`fitter`, for tests, trains on the older part only and is
    measured on the held-out part as it predicts it.)
    """
    older, newer = split(examples)
    # Features and near-duplicate groups are computed once, for the split and for the folds.
    everything = featurize_many([e.text for e in older + newer])
    groups = near_duplicate_groups([r["words"] for r in everything])
    train, held_out, kept = _apart(older, newer, groups)
    if not held_out:
        raise ModelError("pas assez d'exemples pour réserver un échantillon de test")
    truth = [e.competence for e in held_out]
    held_probabilities, out_of_fold, trained_on = None, None, train
    if fitter:
        challenger = fitter(train)
    else:
        chosen = list(range(len(train))) + [len(train) + i for i in kept]
        with training_progress(progress) as report:
            challenger, out_of_fold = fit_out_of_fold(train + held_out, target_precision=target_precision,
                                                      progress=report, rows=[everything[i] for i in chosen],
                                                      groups=[groups[i] for i in chosen])
        if out_of_fold is None:  # too little to split: the older part only, measured on the rest
            challenger = fit(train, target_precision=target_precision)
        else:
            trained_on, held_probabilities = train + held_out, out_of_fold[len(train):]
    held_rows = [everything[len(older) + i] for i in kept]
    rows = None if held_probabilities is not None else held_rows
    metrics = measure(challenger, rows, truth, target_precision, held_probabilities)
    champion_version, champion_metrics, challenger_on_same = active_version(model_dir), None, metrics
    if champion_version is not None:
        try:
            champion, _ = load_model(model_dir, champion_version)
        except ModelError:
            champion_version = None  # an unreadable champion cannot block a sound challenger
        else:
            # Compare on held-out examples the champion never saw, or saw only out of fold: it
            # must not be judged on its homework.
            fair, known = _fair_to(model_dir, champion_version, held_out)
            probabilities = champion.predict_proba([held_rows[i] for i in fair]) if fair else None
            for row, index in enumerate(fair):
                if index in known:
                    probabilities[row] = _as_probabilities(champion.classes_, *known[index])
            subset_truth = [truth[i] for i in fair]
            champion_metrics = measure(champion, None, subset_truth, target_precision, probabilities)
            if len(fair) < len(held_out):
                challenger_on_same = measure(
                    challenger, None if held_probabilities is not None else [rows[i] for i in fair], subset_truth,
                    target_precision, None if held_probabilities is None else held_probabilities[fair])
    better = not_worse(challenger_on_same, champion_metrics)
    promoted = force or better
    reason = _reason(challenger_on_same, champion_metrics, better, force)
    metadata = {"metrics": {"holdout_accuracy": metrics["accuracy"], "holdout_macro_f1": metrics["macro_f1"],
                            "holdout_size": metrics["n"], **_flat(metrics)},
                "evaluation": metrics, "thresholds": metrics["thresholds"],
                "out_of_fold": getattr(challenger, "out_of_fold", None),
                "champion": {"version": champion_version, "evaluation": champion_metrics,
                             "challenger_on_same_examples": challenger_on_same},
                "decision": {"promoted": promoted, "forced": force and not better, "reason": reason},
                "training": {**summary(train), "held_out": summary(held_out)}}
    info = save_model(challenger, model_dir, metadata, activate=promoted)
    write_sidecar(model_dir, info.version, TRAINED_SUFFIX, _trained_list(trained_on, challenger, out_of_fold))
    write_sidecar(model_dir, info.version, ".confusion.png",
                  confusion_png(metrics["confusion"], f"Modèle {info.version} : échantillon réservé de {metrics['n']}"))
    return TrainingResult(info, metrics, champion_version, champion_metrics, challenger_on_same, promoted, reason)


def _apart(train: list[Example], held_out: list[Example],
           groups: list[int] | None = None) -> tuple[list[Example], list[Example], list[int]]:
    """The split without held-out examples that nearly duplicate a training one: a form letter
    on both sides would flatter the model and the thresholds it is judged on. Also the indexes of
    the held-out examples kept. `groups`: the near-duplicate groups of train + held_out, if known."""
    if groups is None:
        groups = near_duplicate_groups([r["words"] for r in featurize([e.text for e in train + held_out])])
    seen = set(groups[:len(train)])
    kept = [i for i, g in enumerate(groups[len(train):]) if g not in seen]
    return train, [held_out[i] for i in kept], kept


def _key(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def _trained_list(examples: list[Example], model, out_of_fold) -> bytes:
    """One line per training text: its fingerprint, and its out-of-fold label and probability
    (what the next challenger is compared with, on examples this model was trained on)."""
    if out_of_fold is None:
        return "\n".join(sorted(_key(e.text) for e in examples)).encode()
    best = out_of_fold.argmax(axis=1)
    return "\n".join(sorted(f"{_key(e.text)} {model.classes_[b]} {out_of_fold[i, b]:.4f}"
                            for i, (e, b) in enumerate(zip(examples, best)))).encode()


def _fair_to(model_dir: Path, version: str, held_out: list[Example]) -> tuple[list[int], dict[int, tuple[str, float]]]:
    """Indexes of held-out examples on which a model can be judged fairly (never trained on, or
    known out of fold), and its out-of-fold (label, probability) for the latter. All of them if its
    list is unknown, or if too few would be left to compare."""
    path = Path(model_dir) / f"competence-{version}{TRAINED_SUFFIX}"
    if not path.exists():
        return list(range(len(held_out))), {}
    seen: dict[str, tuple[str, float] | None] = {}
    for line in read_trusted(model_dir, path.name).decode().splitlines():  # checked like the model: it steers promotion
        parts = line.split()
        if parts:
            seen[parts[0]] = (parts[1], float(parts[2])) if len(parts) == 3 else None
    fair, known = [], {}
    for index, example in enumerate(held_out):
        key = _key(example.text)
        if key not in seen:
            fair.append(index)
        elif seen[key] is not None:
            fair.append(index)
            known[index] = seen[key]
    return (fair, known) if len(fair) >= MIN_COMPARISON else (list(range(len(held_out))), {})


def _as_probabilities(classes, label: str, probability: float):
    """A probability row from an out-of-fold label and its probability, the rest spread evenly."""
    import numpy as np
    row = np.full(len(classes), (1 - probability) / max(len(classes) - 1, 1))
    where = np.flatnonzero(np.asarray(classes) == label)
    if len(where):
        row[where[0]] = probability
    return row


def _flat(metrics: dict) -> dict:
    return {"ece": metrics["calibration"]["ece"], "brier": metrics["calibration"]["brier"],
            "auto_share": metrics["auto_routing"]["share"], "auto_precision": metrics["auto_routing"]["precision"]}


def _reason(metrics: dict, champion: dict | None, better: bool, force: bool) -> str:
    if champion is None:
        return "premier modèle : activé"
    comparison = (f"F1 macro {metrics['macro_f1']:.1%} contre {champion['macro_f1']:.1%}, "
                  f"exactitude {metrics['accuracy']:.1%} contre {champion['accuracy']:.1%}")
    if better:
        return f"pas moins bon que le modèle actif ({comparison}) : activé"
    if force:
        return f"moins bon que le modèle actif ({comparison}) : activé sur demande de l'administrateur"
    return f"moins bon que le modèle actif ({comparison}) : conservé mais pas activé"
