"""Champion and challenger: train a new model, measure it next to the active one on the same
held-out split, and make it active only if it is not worse (or if the admin forces it)."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from pipeline.classify.dataset import Example, split, summary
from pipeline.classify.features import featurize
from pipeline.classify.model_files import ModelInfo, active_version, load_model, save_model, write_sidecar
from pipeline.classify.plots import confusion_png
from pipeline.classify.quality import measure, not_worse
from pipeline.classify.training import fit
from pipeline.errors import ModelError


@dataclass(frozen=True)
class TrainingResult:
    challenger: ModelInfo
    metrics: dict
    champion_version: str | None
    champion_metrics: dict | None
    promoted: bool
    reason: str  # French, for the admin


def train_and_decide(examples: list[Example], model_dir: Path, *, target_precision: float, force: bool = False,
                     fitter: Callable[[list[Example]], object] = fit) -> TrainingResult:
    """Train on the older part, measure both models on the newest part, store, promote if not worse.

    The stored model is the one measured (trained without the held-out part), so its figures
    and its auto-routing thresholds are the ones it really has.
    """
    train, held_out = split(examples)
    if not held_out:
        raise ModelError("pas assez d'exemples pour réserver un échantillon de test")
    rows, truth = featurize([e.text for e in held_out]), [e.competence for e in held_out]
    challenger = fitter(train)
    metrics = measure(challenger, rows, truth, target_precision)
    champion_version, champion_metrics = active_version(model_dir), None
    if champion_version is not None:
        try:
            champion, _ = load_model(model_dir, champion_version)
            champion_metrics = measure(champion, rows, truth, target_precision)
        except ModelError:
            champion_version = None  # an unreadable champion cannot block a sound challenger
    better = not_worse(metrics, champion_metrics)
    promoted = force or better
    reason = _reason(metrics, champion_metrics, better, force)
    metadata = {"metrics": {"holdout_accuracy": metrics["accuracy"], "holdout_macro_f1": metrics["macro_f1"],
                            "holdout_size": metrics["n"], **_flat(metrics)},
                "evaluation": metrics, "thresholds": metrics["thresholds"],
                "champion": {"version": champion_version, "evaluation": champion_metrics},
                "decision": {"promoted": promoted, "forced": force and not better, "reason": reason},
                "training": {**summary(train), "held_out": summary(held_out)}}
    info = save_model(challenger, model_dir, metadata, activate=promoted)
    write_sidecar(model_dir, info.version, ".confusion.png",
                  confusion_png(metrics["confusion"], f"Modèle {info.version} : échantillon réservé de {metrics['n']}"))
    return TrainingResult(info, metrics, champion_version, champion_metrics, promoted, reason)


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
