"""The `triage` command. Each command loads the configuration, calls one function, maps errors to exit codes."""
from __future__ import annotations

import functools
import json
import logging
import shutil
import sys
from pathlib import Path
from typing import Optional

import click
import typer
from rich.console import Console

from pipeline.config import Settings, load_settings
from pipeline.errors import ExitCode, FatalError
from pipeline.ops.logs import machine_readable_logs

app = typer.Typer(help="triage : lit le courrier entrant et l'oriente vers le bon service.", no_args_is_help=True,
                  add_completion=False)
out = Console()
err = Console(stderr=True)
ConfigOption = typer.Option(None, "--config", "-c", help="Fichier de configuration (défaut : config/triage.toml).")


def command(fn):
    """Turn our fatal errors into a French message on stderr and the documented exit code."""
    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except FatalError as exc:
            if machine_readable_logs():
                logging.getLogger("triage").error("%s", exc, extra={"exit_code": int(exc.exit_code)})
            err.print(f"[bold red]Erreur :[/] {exc}")
            if exc.hint:
                err.print(f"Solution : {exc.hint}")
            raise typer.Exit(int(exc.exit_code))
        except (typer.Exit, typer.Abort, click.exceptions.ClickException):
            raise
        except Exception as exc:  # a bug: say so with the documented code, keep the traceback in the log
            logging.getLogger("triage").exception("erreur interne", extra={"exit_code": int(ExitCode.INTERNAL)})
            err.print(f"[bold red]Erreur interne :[/] {type(exc).__name__} : {exc}")
            raise typer.Exit(int(ExitCode.INTERNAL))
    return wrapper


def _setup_logging(verbose: bool, settings: Settings | None = None, fmt: str | None = None,
                   file: Path | None = None) -> None:
    from pipeline.config import LoggingSettings
    from pipeline.ops.logs import configure_logging
    configure_logging(settings.logging if settings else LoggingSettings(), verbose=verbose, fmt=fmt, file=file)


@app.command()
@command
def run(config: Optional[Path] = ConfigOption,
        dry_run: bool = typer.Option(False, "--dry-run", help="Tout lire et classer, sans rien enregistrer ni déplacer."),
        verbose: bool = typer.Option(False, "--verbose", "-v"),
        as_json: bool = typer.Option(False, "--json", help="Résumé en JSON."),
        oneline: bool = typer.Option(False, "--oneline", help="Résumé en une ligne (pour cron)."),
        wait: float = typer.Option(0, "--wait", help="Secondes à attendre si un autre traitement est en cours."),
        log_format: Optional[str] = typer.Option(None, "--log-format", help="Journal : plain ou json."),
        log_file: Optional[Path] = typer.Option(None, "--log-file", help="Journal dans ce fichier (défaut : stderr).")):
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
    _setup_logging(verbose, settings, log_format, log_file)
    quiet = oneline or structured(settings.logging, log_format, log_file)
    progress = logging.getLogger("triage.progress").info if quiet else (lambda m: err.print(m, style="dim"))
    started = time.monotonic()
    summary = run_configured(settings, dry_run=dry_run, wait_s=wait, on_progress=progress)
    if as_json:
        out.print_json(json.dumps(summary_dict(summary), default=str))
    elif oneline:
        print(summary_line(summary, time.monotonic() - started))
    else:
        print_summary(out, summary, settings)
    raise typer.Exit(int(summary.exit_code))


def summary_dict(summary) -> dict:
    return {"run_id": summary.run_id, "exit_code": int(summary.exit_code), "totals": dict(summary.totals),
            "sources": [{"name": s.name, **s.counts, "error": s.error} for s in summary.sources],
            "items": summary.routed}


@app.command()
@command
def demo(config: Optional[Path] = ConfigOption,
         samples: Path = typer.Option(Path("data/samples"), help="Dossier des exemples fournis.")):
    """Copie les exemples fournis dans un dossier de dépôt et lance le traitement dessus.

    Exemple : triage demo
    """
    from pipeline.classify.model_files import active_version
    from pipeline.config import FolderSource
    from pipeline.runner import run_configured
    from pipeline.summary import print_summary
    _setup_logging(False)
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
@command
def evaluate(directory: Path = typer.Argument(..., help="Dossier étiqueté (labels.jsonl + fichiers)."),
             config: Optional[Path] = ConfigOption,
             as_json: bool = typer.Option(False, "--json", help="Un objet JSON sur stdout.")):
    """Mesure la chaîne complète (extraction, lieux, compétence) sur un jeu étiqueté, sans base de données.

    Exemple : triage evaluate ../shared/eval/dev --json
    """
    from pipeline.classify.evaluation import evaluate as run_evaluation
    from pipeline.stages import Stages, ocr_pool
    from pipeline.summary import print_evaluation
    settings = load_settings(config)
    stages = Stages.load(settings)
    with ocr_pool(settings.ocr.workers) as pool:
        report = run_evaluation(directory, stages, pool)
    if as_json:
        print(json.dumps({k: v for k, v in report.items() if k != "items"}, ensure_ascii=False))
    else:
        print_evaluation(out, report)


@app.command()
@command
def train(config: Optional[Path] = ConfigOption,
          activate: bool = typer.Option(True, help="Rendre le nouveau modèle actif.")):
    """Entraîne le modèle de compétence sur le corpus d'amorçage (data/seed).

    Exemple : triage train
    """
    _train(load_settings(config), activate=activate)


def _train(settings: Settings, activate: bool = True) -> None:
    from pipeline.classify.model_files import save_model
    from pipeline.classify.training import fit, holdout_metrics, load_seed, training_summary
    from pipeline.reference import load_reference
    codes = {c.code for c in load_reference(settings.reference_dir).competences}
    examples = load_seed(settings.seed_dir, codes)
    metrics = holdout_metrics(examples)
    info = save_model(fit(examples), settings.classifier.model_dir,
                      {"metrics": metrics, "training": training_summary(examples)}, activate=activate)
    err.print(f"Modèle {info.version} : {len(examples)} exemples, précision {metrics['holdout_accuracy']:.1%}, "
              f"F1 macro {metrics['holdout_macro_f1']:.1%} (échantillon réservé de {metrics['holdout_size']})")


if __name__ == "__main__":
    app()
