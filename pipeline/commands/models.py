"""`triage train` and `triage models …`: what admins type to retrain, compare, promote, roll back."""
from __future__ import annotations

from rich.markup import escape

import json
from pathlib import Path
from typing import TYPE_CHECKING, Optional

import typer
from rich.table import Table

from pipeline.commands.common import ConfigOption, err, out
from pipeline.config import Settings, load_settings
from pipeline.errors import ModelError, NotFoundError

if TYPE_CHECKING:  # training pulls in scikit-learn and spaCy: only the commands that train pay for them
    from pipeline.classify.lifecycle import TrainingResult

commands = typer.Typer()
models_app = typer.Typer(help="Versions du modèle de compétence : liste, détail, activation, retour arrière.",
                         no_args_is_help=True)
commands.add_typer(models_app, name="models")


def train_now(settings: Settings, database, *, import_path: Path | None = None,
              force: bool = False) -> TrainingResult:
    """Import (optionally), train a challenger, compare with the champion, print the verdict.

    `database` is None for a first model trained from the seed corpus alone (`triage demo`)."""
    from pipeline import learning
    if import_path is not None:
        added, known = learning.import_labelled(import_path, settings, database)
        err.print(f"Import de {import_path} : {added} exemples ajoutés, {known} déjà connus.")
    result = learning.train(settings, database, force=force)
    print_result(result)
    return result


def print_result(result: TrainingResult) -> None:
    metrics, champion = result.compared, result.champion_metrics
    table = Table(title=f"Modèle {result.challenger.version} : échantillon réservé de {result.metrics['n']} exemples, "
                        f"dont {metrics['n']} jamais vus par le modèle actif pour la comparaison")
    for column in ("Mesure", "Nouveau modèle", f"Modèle actif ({result.champion_version or 'aucun'})"):
        table.add_column(column)
    rows = (("Exactitude", "accuracy"), ("F1 macro", "macro_f1"))
    for label, key in rows:
        table.add_row(label, f"{metrics[key]:.1%}", f"{champion[key]:.1%}" if champion else "-")
    table.add_row("Calibration (ECE)", f"{metrics['calibration']['ece']:.3f}",
                  f"{champion['calibration']['ece']:.3f}" if champion else "-")
    auto = metrics["auto_routing"]
    table.add_row(f"Orienté sans relecture (précision visée {metrics['target_precision']:.0%})",
                  f"{auto['share']:.1%}" + (f" (précision {auto['precision']:.1%})" if auto["precision"] else ""),
                  f"{champion['auto_routing']['share']:.1%}" if champion else "-")
    out.print(table)
    out.print(("[green]" if result.promoted else "[yellow]") + f"Décision : {escape(result.reason)}[/]", markup=True)


@models_app.command("list")
def models_list(config: Optional[Path] = ConfigOption):
    """Liste les versions, la plus récente en premier.

    Exemple : triage models list
    """
    from pipeline.classify.model_files import active_version, list_versions
    settings = load_settings(config)
    active = active_version(settings.classifier.model_dir)
    table = Table(title="Versions du modèle de compétence")
    for column in ("Version", "Active", "Exactitude", "F1 macro", "Exemples", "Décision"):
        table.add_column(column)
    for meta in list_versions(settings.classifier.model_dir):
        metrics = meta.get("metrics", {})
        table.add_row(meta["version"], "oui" if meta["version"] == active else "",
                      _percent(metrics.get("holdout_accuracy")), _percent(metrics.get("holdout_macro_f1")),
                      str(meta.get("training", {}).get("n_examples", "-")),
                      meta.get("decision", {}).get("reason", ""))
    out.print(table)


@models_app.command("show")
def models_show(version: str = typer.Argument(None, help="Version (défaut : l'active)."),
                config: Optional[Path] = ConfigOption,
                as_json: bool = typer.Option(False, "--json", help="Tout le détail en JSON (pour un script).")):
    """Affiche les mesures d'une version : exactitude, par compétence, confusions, calibration, seuils.

    Exemple : triage models show 20261128-231732-551104
    """
    from pipeline.classify.model_files import active_version, read_metadata
    settings = load_settings(config)
    version = version or active_version(settings.classifier.model_dir)
    if version is None:
        raise NotFoundError("aucun modèle actif, et aucune version demandée", hint="triage models list")
    _require_known(settings, version)
    meta = read_metadata(settings.classifier.model_dir, version)
    if as_json:
        print(json.dumps(meta, indent=2, ensure_ascii=False))
        return
    from zoneinfo import ZoneInfo

    from pipeline.commands.model_report import print_model
    from pipeline.reference import load_reference
    labels = {c.code: c.label for c in load_reference(settings.reference_dir).competences}
    print_model(out, meta, labels, version == active_version(settings.classifier.model_dir), ZoneInfo(settings.timezone))


@models_app.command("promote")
def models_promote(version: str = typer.Argument(..., help="Version à activer."),
                   config: Optional[Path] = ConfigOption):
    """Active une version (même refusée à l'entraînement) ; l'ancienne reste disponible pour un retour.

    Exemple : triage models promote 20261128-231732-551104
    """
    from pipeline.classify.model_files import activate_version
    settings = load_settings(config)
    _require_known(settings, version)
    activate_version(settings.classifier.model_dir, version)
    out.print(f"Version {version} active.")


@models_app.command("rollback")
def models_rollback(config: Optional[Path] = ConfigOption):
    """Revient à la version active avant l'actuelle.

    Exemple : triage models rollback
    """
    from pipeline.classify.model_files import rollback
    settings = load_settings(config)
    try:
        version = rollback(settings.classifier.model_dir)
    except ModelError as exc:  # nothing to go back to: the admin asked for something that does not exist
        raise NotFoundError(str(exc), hint="triage models list, puis triage models promote VERSION") from exc
    out.print(f"Version {version} de nouveau active.")


def _require_known(settings: Settings, version: str) -> None:
    from pipeline.classify.model_files import list_versions
    known = [meta["version"] for meta in list_versions(settings.classifier.model_dir)]
    if version not in known:
        raise NotFoundError(f"version de modèle inconnue : {version}",
                            hint="versions disponibles : " + (", ".join(known[:5]) or "aucune (triage train)"))


def _percent(value) -> str:
    return f"{value:.1%}" if isinstance(value, (int, float)) else "-"
