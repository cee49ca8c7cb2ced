"""The error tree and the exit codes cron reads.

TriageError
├─ ItemError            this message or file is bad: quarantine it with a reason, the batch goes on
│  └─ BudgetExceeded    it is larger than a configured limit (pixels, pages, bytes, depth, time)
├─ SourceError          a whole source failed (folder missing, mailbox unreachable): the others go on
│  └─ MailboxError      an IMAP mailbox: connection, TLS, login, folder
└─ FatalError           the run cannot go on: exit with the code of its kind
   ├─ ConfigError, MissingProgramError, DatabaseError, ModelError, AlreadyRunningError, SendError
   └─ NotFoundError     a command named something that does not exist (a model version, a letter)
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
    CLUSTER = 14  # the configured Dask cluster cannot be reached
    INTERNAL = 70
    INTERRUPTED = 130  # Ctrl-C (SIGINT), as shells report it


EXIT_MEANINGS = {  # what cron's mail says; the README's table is this one
    ExitCode.OK: "tout va bien",
    ExitCode.USAGE: "ligne de commande invalide",
    ExitCode.ITEMS_QUARANTINED: "des documents ont été mis en quarantaine, le reste est traité",
    ExitCode.SOURCE_FAILED: "une source (dossier, boîte aux lettres) a échoué, les autres sont traitées",
    ExitCode.ALREADY_RUNNING: "un autre traitement est en cours : rien n'a été fait",
    ExitCode.SEND_FAILED: "envoi de courriel impossible (serveur SMTP)",
    ExitCode.CONFIG: "configuration invalide",
    ExitCode.MISSING_PROGRAM: "programme ou données manquants (tesseract, poppler, modèle spaCy)",
    ExitCode.DATABASE: "base de données ou stockage des fichiers indisponible",
    ExitCode.MODEL: "modèle de classement absent ou refusé",
    ExitCode.CLUSTER: "cluster de calcul Dask injoignable : rien n'a été lu, relancez quand il répond",
    ExitCode.INTERNAL: "erreur interne (bogue) : voir le journal",
    ExitCode.INTERRUPTED: "interrompu (Ctrl-C) : ce qui était enregistré le reste, relancez",
}


class TriageError(Exception):
    """Base of every error triage raises on purpose."""


class ItemError(TriageError):
    """One message or file cannot be processed; the text is the reason shown to a clerk (French).

    `slug` is a short stable code of the kind of reason (e.g. "pdf-corrupt", "ocr-timeout",
    "too-many-pages") so the quarantine can be grouped and counted by reason."""

    slug = "unreadable"

    def __init__(self, message: str, slug: str | None = None):
        super().__init__(message)
        if slug:
            self.slug = slug


class BudgetExceeded(ItemError):
    """The document is larger than a configured limit; checked before the work starts."""

    slug = "over-budget"


class SourceError(TriageError):
    """A whole source failed (server unreachable, bad password, folder missing): the run goes on."""


class MailboxError(SourceError):
    """An IMAP mailbox could not be read or updated (connection, TLS, login, folder)."""


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


class NotFoundError(FatalError):
    """A command named something that does not exist; a usage problem, not a bug."""

    exit_code = ExitCode.USAGE


class StorageError(FatalError):
    """The file store of originals cannot be written (disk full, permissions): nothing more can be kept."""

    exit_code = ExitCode.DATABASE
