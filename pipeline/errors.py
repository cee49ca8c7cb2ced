"""The error tree and the exit codes cron reads.

TriageError
├─ ItemError       this message or file is bad: quarantine it with a reason, the batch goes on
└─ FatalError      the run cannot go on: exit with the code of its kind
"""
from enum import IntEnum


class ExitCode(IntEnum):
    OK = 0
    USAGE = 2  # bad command line (Typer/Click's own code)
    ITEMS_QUARANTINED = 3
    SOURCE_FAILED = 4
    ALREADY_RUNNING = 5
    SEND_FAILED = 6  # the mail server refused or could not be reached (report, letters)
    CONFIG = 10
    MISSING_PROGRAM = 11
    DATABASE = 12
    MODEL = 13
    INTERNAL = 70


EXIT_MEANINGS = {  # what cron's mail says; the README's table is this one
    ExitCode.OK: "tout va bien",
    ExitCode.USAGE: "ligne de commande invalide",
    ExitCode.ITEMS_QUARANTINED: "des documents ont été mis en quarantaine, le reste est traité",
    ExitCode.SOURCE_FAILED: "une source (dossier, boîte aux lettres) a échoué, les autres sont traitées",
    ExitCode.ALREADY_RUNNING: "un autre traitement est en cours : rien n'a été fait",
    ExitCode.SEND_FAILED: "envoi de courriel impossible (serveur SMTP)",
    ExitCode.CONFIG: "configuration invalide",
    ExitCode.MISSING_PROGRAM: "programme ou données manquants (tesseract, poppler, modèle spaCy)",
    ExitCode.DATABASE: "base de données injoignable",
    ExitCode.MODEL: "modèle de classement absent ou refusé",
    ExitCode.INTERNAL: "erreur interne (bogue) : voir le journal",
}


class TriageError(Exception):
    """Base of every error triage raises on purpose."""


class ItemError(TriageError):
    """One message or file cannot be processed; the text is the reason shown to a clerk (French)."""


class FatalError(TriageError):
    """The run cannot go on; `exit_code` tells cron why."""

    exit_code = ExitCode.INTERNAL

    def __init__(self, message: str, hint: str | None = None):
        super().__init__(message)
        self.hint = hint


class ConfigError(FatalError):
    exit_code = ExitCode.CONFIG


class MissingProgramError(FatalError):
    exit_code = ExitCode.MISSING_PROGRAM


class DatabaseError(FatalError):
    exit_code = ExitCode.DATABASE


class ModelError(FatalError):
    exit_code = ExitCode.MODEL


class AlreadyRunningError(FatalError):
    exit_code = ExitCode.ALREADY_RUNNING


class SendError(FatalError):
    exit_code = ExitCode.SEND_FAILED
