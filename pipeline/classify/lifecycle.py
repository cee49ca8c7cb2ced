"""Champion and challenger: train a new model, measure it next to the active one on the same
held-out split, and make it active only if it is not worse (or if the admin forces it)."""
from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from pipeline.classify.dataset import Example, split, summary
from pipeline.classify.features import featurize
from pipeline.classify.model_files import (ModelInfo, active_version, load_model, read_trusted, save_model,
                                          write_sidecar)
from pipeline.classify.plots import confusion_png
from pipeline.classify.progress import training_progress
from pipeline.classify.quality import measure, not_worse
from pipeline.classify.near_duplicates import groups as near_duplicate_groups
from pipeline.classify.training import Progress, fit
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
    """Train on the older part, measure both models on the newest part, store, promote if not worse.

    The stored model is the one measured (trained without the held-out part), so its figures
    and its auto-routing thresholds are the ones it really has.
    """
    train, held_out = _apart(*split(examples))
    if not held_out:
        raise ModelError("pas assez d'exemples pour réserver un échantillon de test")
    rows, truth = featurize([e.text for e in held_out]), [e.competence for e in held_out]
    if fitter:
        challenger = fitter(train)
    else:
        with training_progress(progress) as report:
            challenger = fit(train, target_precision=target_precision, progress=report)
    metrics = measure(challenger, rows, truth, target_precision)
    champion_version, champion_metrics, challenger_on_same = active_version(model_dir), None, metrics
    if champion_version is not None:
        try:
            champion, _ = load_model(model_dir, champion_version)
        except ModelError:
            champion_version = None  # an unreadable champion cannot block a sound challenger
        else:
            # Compare on the held-out examples the champion never saw, or it would be judged on its homework.
            unseen = _unseen_by(model_dir, champion_version, held_out)
            subset_rows, subset_truth = [rows[i] for i in unseen], [truth[i] for i in unseen]
            champion_metrics = measure(champion, subset_rows, subset_truth, target_precision)
            challenger_on_same = measure(challenger, subset_rows, subset_truth, target_precision) \
                if len(unseen) < len(held_out) else metrics
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
    write_sidecar(model_dir, info.version, TRAINED_SUFFIX, "\n".join(sorted(_key(e.text) for e in train)).encode())
    write_sidecar(model_dir, info.version, ".confusion.png",
                  confusion_png(metrics["confusion"], f"Modèle {info.version} : échantillon réservé de {metrics['n']}"))
    return TrainingResult(info, metrics, champion_version, champion_metrics, challenger_on_same, promoted, reason)


def _apart(train: list[Example], held_out: list[Example]) -> tuple[list[Example], list[Example]]:
    """The split without held-out examples that nearly duplicate a training one: a form letter
    on both sides would flatter the model and the thresholds it is judged on."""
    groups = near_duplicate_groups([" ".join(e.text.lower().split()) for e in train + held_out])
    seen = set(groups[:len(train)])
    return train, [e for e, g in zip(held_out, groups[len(train):]) if g not in seen]


def _key(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def _unseen_by(model_dir: Path, version: str, held_out: list[Example]) -> list[int]:
    """Indexes of held-out examples a model was not trained on (all of them if its list is unknown,
    or if it saw so many that too few would be left to compare)."""
    path = Path(model_dir) / f"competence-{version}{TRAINED_SUFFIX}"
    if not path.exists():
        return list(range(len(held_out)))
    seen = set(read_trusted(model_dir, path.name).decode().split())  # checked like the model: it steers promotion
    unseen = [i for i, e in enumerate(held_out) if _key(e.text) not in seen]
    return unseen if len(unseen) >= MIN_COMPARISON else list(range(len(held_out)))


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
