"""`triage import`: an archive of scans and emails registered as a night would, resumable, with progress."""
from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

from pipeline.commands.common import ConfigOption, err, open_for_writing, out
from pipeline.config import load_settings

commands = typer.Typer()


@commands.command("import")
def import_command(directory: Path = typer.Argument(..., help="Dossier de l'archive (sous-dossiers compris)."),
                   labels: Optional[Path] = typer.Option(None, "--labels",
                                                         help="Étiquettes : CSV (fichier;competence[;commune]) "
                                                              "ou JSONL ; chemins relatifs au dossier."),
                   config: Optional[Path] = ConfigOption):
    """Enregistre une archive de courriers (scans, PDF, .eml) comme un traitement de nuit : lecture, OCR,
    commune, compétence, orientation, numéro chrono. Les fichiers étiquetés deviennent aussi des exemples
    d'entraînement. Interrompue (Ctrl-C, arrêt de la machine), la même commande reprend où elle s'était
    arrêtée : rien n'est perdu ni enregistré deux fois. Les fichiers de l'archive ne sont pas déplacés.

    Exemple : triage import /mnt/archives/courrier-2019 --labels /mnt/archives/courrier-2019/etiquettes.csv
    """
    from rich.progress import (BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn,
                               TimeRemainingColumn)

    from pipeline.archive import import_archive
    settings = load_settings(config)
    open_for_writing(settings)
    with Progress(TextColumn("[bold]Import[/]"), BarColumn(), MofNCompleteColumn(),
                  TextColumn("{task.fields[detail]}"), TimeElapsedColumn(), TextColumn("reste"),
                  TimeRemainingColumn(), console=err, transient=False) as bar:
        task = bar.add_task("import", total=None, detail="")

        def started(archive) -> None:
            already = archive.progress.counts["already"]
            err.print(f"{directory} : {archive.progress.total} fichier(s) à traiter"
                      + (f", {already} déjà traité(s) lors d'un import précédent" if already else "")
                      + (f" ; {len(archive.labels)} étiquette(s)" if archive.labels else ""))
            for missing in archive.unmatched_labels[:5]:
                err.print(f"[yellow]étiquette sans fichier dans l'archive : {missing}[/]")
            bar.update(task, total=archive.progress.total)

        def done(progress) -> None:
            counts = progress.counts
            bar.update(task, completed=progress.done,
                       detail=f"{counts['stored']} enregistré(s), {counts['duplicate']} doublon(s), "
                              f"{counts['quarantined']} en quarantaine")

        summary, archive = import_archive(settings, directory, labels, on_start=started, on_done=done)
    counts = archive.progress.counts
    out.print(f"Import terminé : {counts['stored']} courrier(s) enregistré(s), {counts['duplicate']} doublon(s), "
              f"{counts['quarantined']} en quarantaine"
              + (f", {counts['examples']} exemple(s) d'entraînement" if archive.labels else "")
              + f" ; {counts['total_journal']} fichier(s) de l'archive traités au total.")
    for source in summary.sources:
        if source.error:
            err.print(f"[red]{source.error}[/]")
    raise typer.Exit(int(summary.exit_code))
