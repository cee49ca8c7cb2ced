"""What every `triage` command shares: consoles, the --config option, and the one map of errors to exit codes.

`exit_code_of` is that map; `TriageGroup` applies it around every command of the CLI (nested
groups included), and `command` applies the same map to a command used outside that group.
"""
from __future__ import annotations

from rich.markup import escape

import functools
import logging
import sys
from pathlib import Path

import click
import typer
from rich.console import Console
from typer._click.exceptions import ClickException as TyperClickException  # typer ships its own click
from typer.core import TyperGroup

from pipeline.config import Settings
from pipeline.errors import ExitCode, FatalError, SourceError
from pipeline.ops.logs import machine_readable_logs

# Piped or in a cron mail, rich would wrap tables at 80 columns; a wide page reads better there.
# markup=False: a message quoting "[smtp]" or "[adresse à compléter]" prints as written; the few styled
# lines ask for markup=True and escape what they quote.
out = Console(markup=False) if sys.stdout.isatty() else Console(width=160, markup=False)
err = Console(stderr=True, markup=False)
ConfigOption = typer.Option(None, "--config", "-c", help="Fichier de configuration (défaut : config/triage.toml).")
log = logging.getLogger("triage")

# Click's own ways of ending: --help, typer.Exit(code), usage errors (exit 2) are already answered.
_CLICK_ENDINGS = (typer.Exit, click.exceptions.Exit, TyperClickException, click.exceptions.ClickException)
_INTERRUPTIONS = (KeyboardInterrupt, typer.Abort, click.exceptions.Abort)  # a prompt turns Ctrl-C into Abort


def exit_code_of(exc: BaseException) -> ExitCode:
    """The documented exit code of anything a command can raise (README's table, errors.EXIT_MEANINGS)."""
    if isinstance(exc, FatalError):
        return ExitCode(exc.exit_code)
    if isinstance(exc, SourceError):
        return ExitCode.SOURCE_FAILED
    if isinstance(exc, _INTERRUPTIONS):
        return ExitCode.INTERRUPTED
    return ExitCode.INTERNAL


def report_failure(exc: BaseException) -> ExitCode:
    """Say in French what went wrong (traceback only in the log, for bugs) and return the exit code."""
    code = exit_code_of(exc)
    if code == ExitCode.INTERRUPTED:
        log.warning("interrompu", extra={"exit_code": int(code)})
        err.print("[bold yellow]Interrompu (Ctrl-C) :[/] ce qui était enregistré le reste ; relancez la commande.", markup=True)
    elif code == ExitCode.INTERNAL:
        err.print(f"[bold red]Erreur interne :[/] {type(exc).__name__} : {escape(str(exc))}", highlight=False, soft_wrap=True, markup=True)
        if logging.getLogger().handlers or log.handlers:
            log.error("erreur interne", exc_info=exc, extra={"exit_code": int(code)})
        else:  # no log configured: the traceback would land on the terminal, keep it in a file instead
            err.print(f"Détails techniques pour les développeurs : {_traceback_file(exc)}", highlight=False)
    else:
        if machine_readable_logs():
            log.error("%s", exc, extra={"exit_code": int(code)})
        err.print(f"[bold red]Erreur :[/] {escape(str(exc))}", highlight=False, soft_wrap=True, markup=True)
        if getattr(exc, "hint", None):
            err.print(f"Solution : {escape(str(exc.hint))}", highlight=False, soft_wrap=True, markup=True)
    return code


def _traceback_file(exc: BaseException) -> str:
    import tempfile
    import traceback
    with tempfile.NamedTemporaryFile("w", prefix="triage-erreur-", suffix=".log", delete=False) as handle:
        handle.write("".join(traceback.format_exception(exc)))
    return handle.name


class TriageGroup(TyperGroup):
    """The top-level group: every command (and sub-group) runs inside the one error map, and a wrong
    command line is answered in French (exit code 2) instead of Click's English box."""

    def main(self, args=None, prog_name=None, complete_var=None, standalone_mode=True, **extra):
        if not standalone_mode:
            return super().main(args, prog_name, complete_var, standalone_mode, **extra)
        from pipeline.commands.usage import french
        try:
            returned = super().main(args, prog_name, complete_var, False, **extra)
        except (TyperClickException, click.exceptions.ClickException) as exc:
            context = getattr(exc, "ctx", None)
            path = context.command_path if context is not None else (prog_name or "triage")
            err.print(f"Erreur : {french(exc, path)}", highlight=False, soft_wrap=True)
            sys.exit(exc.exit_code)
        except _INTERRUPTIONS:
            sys.exit(int(ExitCode.INTERRUPTED))
        sys.exit(returned if isinstance(returned, int) else 0)

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except _CLICK_ENDINGS:
            raise
        except (Exception, KeyboardInterrupt) as exc:
            raise typer.Exit(int(report_failure(exc))) from exc


def command(fn):
    """The same error map for a command run outside `TriageGroup` (a test's own Typer app)."""
    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except _CLICK_ENDINGS:
            raise
        except (Exception, KeyboardInterrupt) as exc:
            raise typer.Exit(int(report_failure(exc))) from exc
    return wrapper


def setup_logging(verbose: bool, settings: Settings | None = None, fmt: str | None = None,
                  file: Path | None = None) -> None:
    from pipeline.config import LoggingSettings
    from pipeline.ops.logs import configure_logging
    configure_logging(settings.logging if settings else LoggingSettings(), verbose=verbose, fmt=fmt, file=file)


def open_for_reading(settings: Settings):
    """A read-only command's database: never migrated; refused (exit 12) when its schema is older than the code."""
    from pipeline.store.database import open_database
    database = open_database(settings.database_url, migrate=False)
    database.require_current_schema()
    return database


def open_for_writing(settings: Settings):
    """A writing command's database, migrated to the code's schema first."""
    from pipeline.store.database import open_database
    return open_database(settings.database_url, migrate=True)
