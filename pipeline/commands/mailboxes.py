"""`triage mailboxes check`: try each configured IMAP mailbox, change nothing."""
from __future__ import annotations

from rich.markup import escape

import json
from pathlib import Path
from typing import Optional

import typer

from pipeline.commands.common import ConfigOption, err, out
from pipeline.config import load_settings
from pipeline.errors import ExitCode

commands = typer.Typer()


mailboxes_app = typer.Typer(help="Boîtes aux lettres IMAP lues par « triage run ».", no_args_is_help=True)
commands.add_typer(mailboxes_app, name="mailboxes")


@mailboxes_app.command("check")
def mailboxes_check(config: Optional[Path] = ConfigOption,
                    as_json: bool = typer.Option(False, "--json", help="Une liste JSON sur stdout.")):
    """Essaie chaque boîte configurée (connexion, TLS, identification, dossiers, nouveaux messages) sans rien changer.

    Sort avec le code 4 si une boîte a un problème, 0 si toutes répondent.

    Exemple : IMAP_PASSWORD=... triage mailboxes check --config /etc/triage/triage.toml
    """
    from pipeline.sources.imap_check import check_mailboxes
    settings = load_settings(config)
    if not settings.mailboxes:
        err.print("Aucune boîte configurée : ajoutez une section [[mailboxes]] au fichier de configuration.")
        raise typer.Exit(int(ExitCode.CONFIG))
    reports = check_mailboxes(settings)
    if as_json:
        print(json.dumps([r.as_dict() for r in reports], ensure_ascii=False))
    for report in [] if as_json else reports:
        out.print(f"[bold]Boîte {escape(report.name)}[/] ({escape(str(report.where))}) : "
                  + ("[green]prête[/]" if report.ok else "[bold red]problème[/]"), soft_wrap=True, markup=True)
        for step in report.steps:
            out.print(f"  {'[green]OK[/]   ' if step.ok else '[bold red]ÉCHEC[/]'} {escape(step.name)} : {escape(str(step.detail))}"
                      + (f"\n        → {escape(step.fix)}" if step.fix and not step.ok else ""), soft_wrap=True, highlight=False, markup=True)
    raise typer.Exit(int(ExitCode.OK if all(r.ok for r in reports) else ExitCode.SOURCE_FAILED))
