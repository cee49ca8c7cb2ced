"""What every `triage` command shares: consoles, the --config option, errors mapped to exit codes."""
from __future__ import annotations

import functools
import logging
import sys
from pathlib import Path

import click
import typer
from rich.console import Console

from pipeline.config import Settings
from pipeline.errors import ExitCode, FatalError
from pipeline.ops.logs import machine_readable_logs

# Piped or in a cron mail, rich would wrap tables at 80 columns; a wide page reads better there.
out = Console() if sys.stdout.isatty() else Console(width=160)
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


def setup_logging(verbose: bool, settings: Settings | None = None, fmt: str | None = None,
                   file: Path | None = None) -> None:
    from pipeline.config import LoggingSettings
    from pipeline.ops.logs import configure_logging
    configure_logging(settings.logging if settings else LoggingSettings(), verbose=verbose, fmt=fmt, file=file)
