"""The `triage` command. Each command loads the configuration, calls one function and prints; errors are mapped
to exit codes once, around the whole CLI (pipeline/commands/common.py).

The commands of the pipeline itself are here; the others live by subject in pipeline/commands/.
"""
from __future__ import annotations

import json
import logging
import shutil
from pathlib import Path
from typing import Optional

import typer

from pipeline.commands import archive, directory, mailboxes, models, notify, ops, web
from pipeline.commands.common import ConfigOption, TriageGroup, command, err, open_for_writing, out, setup_logging
from pipeline.config import Settings, load_settings

app = typer.Typer(cls=TriageGroup, help="triage : lit le courrier entrant et l'oriente vers le bon service.", no_args_is_help=True,
                  add_completion=False)


@app.command()
@command
def run(config: Optional[Path] = ConfigOption,
        dry_run: bool = typer.Option(False, "--dry-run", help="Tout lire et classer, sans rien enregistrer ni déplacer."),
        verbose: bool = typer.Option(False, "--verbose", "-v"),
        as_json: bool = typer.Option(False, "--json", help="Résumé en JSON."),
        oneline: bool = typer.Option(False, "--oneline", help="Résumé en une ligne (pour cron)."),
        wait: float = typer.Option(0, "--wait", help="Secondes à attendre si un autre traitement est en cours."),
        log_format: Optional[str] = typer.Option(None, "--log-format", help="Journal : plain ou json."),
        log_file: Optional[Path] = typer.Option(None, "--log-file", help="Journal dans ce fichier (défaut : stderr)."),
        retrain: bool = typer.Option(False, "--retrain",
                                     help="Après le traitement, réentraîner si assez de corrections sont arrivées.")):
    """Traite les dossiers (scanner, .eml) configurés : extraction, lieux, compétence, routage, stockage.

    Codes de sortie : 0 tout va bien, 3 quarantaine, 4 source en échec, 5 déjà en cours,
    10 configuration, 11 programme manquant, 12 base de données, 13 modèle, 70 erreur interne.

    Exemple : triage run --oneline --log-format json --log-file var/log/triage.jsonl
    """
    import time
    from pipeline.ops.logs import structured
    from pipeline.runner import run_configured
    from pipeline.summary import print_summary, summary_line
    settings = load_settings(config)
    setup_logging(verbose, settings, log_format, log_file)
    quiet = oneline or structured(settings.logging, log_format, log_file)
    progress = logging.getLogger("triage.progress").info if quiet else (lambda m: err.print(m, style="dim"))
    started = time.monotonic()
    summary = run_configured(settings, dry_run=dry_run, wait_s=wait, on_progress=progress)
    if (retrain or settings.classifier.retrain_nightly) and not dry_run:
        _retrain_if_enough(settings)
    if as_json:
        out.print_json(json.dumps(summary_dict(summary), default=str))
    elif oneline:
        print(summary_line(summary, time.monotonic() - started))
    else:
        print_summary(out, summary, settings)
    raise typer.Exit(int(summary.exit_code))


def _retrain_if_enough(settings: Settings) -> None:
    from pipeline.commands.models import train_now
    from pipeline.learning import corrections_since_last_training
    database = open_for_writing(settings)
    new = corrections_since_last_training(settings, database)
    if new < settings.classifier.retrain_min_corrections:
        err.print(f"Pas de réentraînement : {new} décisions d'agents depuis le dernier modèle "
                  f"(seuil {settings.classifier.retrain_min_corrections}).")
        return
    train_now(settings, database)


def summary_dict(summary) -> dict:
    return {"run_id": summary.run_id, "exit_code": int(summary.exit_code), "totals": dict(summary.totals),
            "sources": [{"name": s.name, **s.counts, "error": s.error} for s in summary.sources],
            "quarantine_reasons": dict(summary.quarantine_reasons), "items": summary.routed}


@app.command()
def demo(config: Optional[Path] = ConfigOption,
         samples: Path = typer.Option(Path("data/samples"), help="Dossier des exemples fournis.")):
    """Copie les exemples fournis dans un dossier de dépôt et lance le traitement dessus.

    Exemple : triage demo
    """
    from pipeline.classify.model_files import active_version
    from pipeline.config import FolderSource
    from pipeline.runner import run_configured
    from pipeline.summary import print_summary
    setup_logging(False)
    base = load_settings(config)
    inbox = base.data_dir / "demo" / "inbox"
    inbox.mkdir(parents=True, exist_ok=True)
    for path in sorted(samples.iterdir()):
        if path.suffix.lower() in (".eml", ".pdf", ".png", ".jpg", ".jpeg", ".tif", ".tiff"):
            shutil.copy2(path, inbox / path.name)
    settings = base.model_copy(update={"folders": [FolderSource(name="demo", path=inbox)]})
    if active_version(settings.classifier.model_dir) is None:
        err.print("Aucun modèle actif : entraînement sur le corpus d'amorçage…")
        _train(settings)
    summary = run_configured(settings, on_progress=lambda m: err.print(m, style="dim"))
    print_summary(out, summary, settings)
    raise typer.Exit(int(summary.exit_code))


@app.command()
def evaluate(directory: Path = typer.Argument(..., help="Dossier étiqueté (labels.jsonl + fichiers)."),
             config: Optional[Path] = ConfigOption,
             as_json: bool = typer.Option(False, "--json", help="Un objet JSON sur stdout."),
             with_items: bool = typer.Option(False, "--items",
                                             help="Avec --json : le résultat de chaque fichier (compétence, commune, "
                                                  "urgence, champs d'enregistrement).")):
    """Mesure la chaîne complète (extraction, lieux, compétence, enregistrement) sur un jeu étiqueté, sans base.

    Exemple : triage evaluate ../shared/eval/dev --json --items
    """
    from pipeline.classify.evaluation import evaluate as run_evaluation
    from pipeline.classify.evaluation import items_view
    from pipeline.stages import Stages, ocr_pool
    from pipeline.summary import print_evaluation
    settings = load_settings(config)
    stages = Stages.load(settings)
    with ocr_pool(settings.ocr.workers, settings.limits) as pool:
        report = run_evaluation(directory, stages, pool)
    if as_json:
        plain = {k: v for k, v in report.items() if k not in ("items", "fields_correct")}
        if with_items:
            plain.update(fields_correct=report["fields_correct"], items=items_view(report))
        print(json.dumps(plain, ensure_ascii=False))
    else:
        print_evaluation(out, report)


@app.command()
def train(config: Optional[Path] = ConfigOption,
          import_path: Optional[Path] = typer.Option(None, "--import",
                                                     help="Courrier historique étiqueté : dossier (labels.jsonl) ou CSV."),
          force: bool = typer.Option(False, "--force", help="Activer le nouveau modèle même s'il est moins bon.")):
    """Entraîne un modèle (corpus d'amorçage + décisions des agents + imports), le compare au modèle actif
    sur les courriers les plus récents, et ne l'active que s'il n'est pas moins bon.

    Exemple : triage train --import archives/courrier-2025.csv
    """
    from pipeline.commands.models import train_now
    settings = load_settings(config)
    train_now(settings, open_for_writing(settings), import_path=import_path, force=force)


@app.command()
def migrate(config: Optional[Path] = ConfigOption):
    """Applique à la base les migrations de schéma en attente (« triage run » le fait aussi).

    Les commandes de consultation (status, export, report, letters list…) ne migrent jamais :
    sur une base ancienne elles le disent et sortent avec le code 12.

    Exemple : triage migrate --config /etc/triage/triage.toml
    """
    from pipeline.store.database import open_database
    settings = load_settings(config)
    missing = open_database(settings.database_url, migrate=False).missing_migrations
    database = open_for_writing(settings)
    from pipeline.store.directory_seed import seed_database
    if added := seed_database(settings, database):
        out.print(f"Annuaire : {added} entrée(s) ajoutée(s) (services, mairies, administrations).")
    out.print(f"Migrations appliquées : {', '.join(missing)}." if missing else "Schéma déjà à jour : rien à faire.")
    out.print(f"Base {database.dialect} à jour.")


def _train(settings: Settings) -> None:
    from pipeline.commands.models import train_now
    train_now(settings, None)





for group in (models, web, ops, mailboxes, archive, directory, notify):
    app.registered_commands += group.commands.registered_commands
    app.registered_groups += group.commands.registered_groups


if __name__ == "__main__":
    app()
