"""`triage annuaire export|import`: the directory as a CSV file, for a spreadsheet and back."""
from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

from pipeline.commands.common import ConfigOption, err, open_for_writing, out
from pipeline.config import load_settings
from pipeline.errors import ExitCode

commands = typer.Typer()
directory_app = typer.Typer(help="Annuaire des services, mairies et administrations (fichier CSV).",
                            no_args_is_help=True)
commands.add_typer(directory_app, name="annuaire")


@directory_app.command("export")
def export(file: Path = typer.Argument(..., help="Fichier CSV à écrire (« - » : la sortie standard)."),
           config: Optional[Path] = ConfigOption):
    """Écrit tout l'annuaire (entrées, agents, copies par défaut) dans un fichier CSV séparé par « ; ».

    Exemple : triage annuaire export annuaire.csv
    """
    from pipeline.directory import write_csv
    from pipeline.store.directory_file import export_data
    from pipeline.store.directory_seed import seed_database
    settings = load_settings(config)
    database = open_for_writing(settings)
    seed_database(settings, database)
    with database() as session:
        data = export_data(session)
    text = write_csv(data)
    if str(file) == "-":
        print(text, end="")
        return
    file.write_text(text, encoding="utf-8-sig")  # the BOM lets a spreadsheet read the accents
    out.print(f"Annuaire exporté dans {file} : {len(data.entries)} entrées, {len(data.agents)} agents, "
              f"{len(data.copies)} copies par défaut.")


@directory_app.command("import")
def import_(file: Path = typer.Argument(..., exists=True, dir_okay=False, help="Fichier CSV (celui de l'export, modifié)."),
            user: str = typer.Option("admin", "--par", help="Nom inscrit dans l'historique de l'annuaire."),
            config: Optional[Path] = ConfigOption):
    """Met à jour l'annuaire depuis un fichier CSV (le format de « triage annuaire export »).

    Le fichier est vérifié en entier avant d'écrire quoi que ce soit : une ligne fautive est citée
    avec son numéro, et rien n'est importé (code de sortie 10).

    Exemple : triage annuaire import annuaire.csv --par mdupont
    """
    from pipeline.directory import DirectoryFileError, read_csv
    from pipeline.store.directory_file import import_data
    settings = load_settings(config)
    try:
        data = read_csv(file.read_text(encoding="utf-8-sig", errors="replace"))
        database = open_for_writing(settings)
        with database() as session:
            result = import_data(session, data, user)
    except DirectoryFileError as exc:
        err.print(f"{file} : {exc}", markup=False, highlight=False)
        raise typer.Exit(int(ExitCode.CONFIG)) from None
    out.print(f"Annuaire importé depuis {file} : {result.created} entrée(s) créée(s), {result.updated} modifiée(s), "
              f"{result.agents} agent(s), {result.copies} copie(s) par défaut.")
