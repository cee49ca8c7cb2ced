"""Configuration: one TOML file plus TRIAGE_* environment overrides, read once and passed down.

Secrets are never stored in the file: they are given by reference, e.g.
`password = { env = "IMAP_PASSWORD" }`, and resolved when used.
"""
from __future__ import annotations

import os
import re
import tomllib
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict, TomlConfigSettingsSource

from pipeline.config_errors import describe_errors
from pipeline.errors import ConfigError

DEFAULT_CONFIG = Path("config/triage.toml")


class Section(BaseModel):
    """A part of the configuration: an unknown key is a mistake (a typo silently ignored is a setting lost)."""

    model_config = ConfigDict(extra="forbid")


class SecretRef(Section):
    """A secret given by the name of the environment variable that holds it."""

    env: str

    def resolve(self) -> str:
        value = os.environ.get(self.env)
        if value is None:
            raise ConfigError(f"la variable d'environnement {self.env} n'est pas définie",
                              hint=f"export {self.env}=...")
        return value


class FolderSource(Section):
    """A scanner drop folder or a folder of .eml files."""

    name: str = "scanner"
    path: Path
    done_dir: Path | None = None  # default: <path>/done
    quarantine_dir: Path | None = None  # default: <path>/quarantine
    channel: str = "courrier"  # courrier (paper) or email; .eml files are always email
    settle_seconds: float = Field(default=5.0, ge=0)  # a file modified more recently is still being written


LOOPBACK_HOSTS = ("127.0.0.1", "::1", "localhost")


class MailboxSource(Section):
    """An IMAP mailbox read by `triage run` (pipeline/sources/imap.py); checked by `triage mailboxes check`."""

    name: str  # e.g. "courrier": the source name in the summary and on each item
    host: str
    port: int | None = None  # default: 993 with tls = "implicit", 143 otherwise
    tls: Literal["implicit", "starttls", "none"] = "implicit"  # "none": loopback tests only
    ca_file: Path | None = None  # CA bundle to verify the server with (default: the system's)
    # Certificates are always verified; a test server with a self-made certificate needs this
    # explicit switch, which every run and `triage doctor` then report as a warning.
    tls_insecure: bool = False
    user: str
    password: SecretRef  # { env = "IMAP_PASSWORD" }
    folders: list[str] = Field(default_factory=lambda: ["INBOX"])
    after_store: Literal["none", "flag", "move"] = "none"  # what to do on the server once committed
    flag: str = "$Triage"  # a keyword, or a system flag such as \Seen (after_store = "flag")
    move_to: str = "Traité"  # created if missing (after_store = "move")
    batch_size: int = Field(default=50, ge=1, le=1000)  # messages per FETCH
    batch_bytes: int = Field(default=32_000_000, gt=0)  # and bytes per FETCH (a larger message comes alone)
    retries: int = Field(default=3, ge=0)  # after the first attempt, on connection or login failure
    backoff_s: float = Field(default=2.0, ge=0)  # first wait between attempts, doubled each time
    timeout_s: float = Field(default=60.0, gt=0)

    @property
    def effective_port(self) -> int:
        return self.port or (993 if self.tls == "implicit" else 143)

    @model_validator(mode="after")
    def _check(self) -> "MailboxSource":
        self.port = self.effective_port  # so that readers of `port` (triage doctor) get the real one
        if self.tls == "none" and self.host not in LOOPBACK_HOSTS:
            raise ValueError(f"boîte {self.name} : tls = \"none\" n'est permis que sur la boucle locale "
                             f"(127.0.0.1), pas sur {self.host}")
        if not self.folders:
            raise ValueError(f"boîte {self.name} : aucun dossier à lire (folders)")
        if not self.flag.isascii() or not re.fullmatch(r'\\?[^\s(){%*"\\\]]+', self.flag):
            raise ValueError(f"boîte {self.name} : drapeau IMAP invalide : {self.flag!r} (ex. $Triage ou \\Seen)")
        if self.after_store == "move" and self.move_to in self.folders:
            raise ValueError(f"boîte {self.name} : move_to ({self.move_to}) ne peut pas être un dossier lu")
        return self


class OcrSettings(Section):
    """How pages are read; how much a document may cost is in LimitsSettings ([limits])."""

    language: str = "fra"
    dpi: int = 300  # at most: scans are read at their own resolution, large pages at less
    workers: int = Field(default_factory=lambda: os.cpu_count() or 1)
    page_timeout_s: float = 120.0  # each page, and never more than limits.ocr_seconds_per_item
    min_text_chars_per_page: int = 25  # below this a PDF page has no usable text layer


class LimitsSettings(Section):
    """Budgets per document, checked before the work starts, so one document cannot stall or sink the night.

    An exceeded budget quarantines the file it applies to (errors.BudgetExceeded, with its slug) when
    that file is the whole document; an email's attachment over budget is left unread, its reason
    noted, and the email stored for review. A long text is stored whole and only its first
    `max_text_chars` are read by the NLP stages. The web page's renders obey the same pixel and
    page budgets."""

    max_message_bytes: int = Field(default=60_000_000, gt=0)  # one email or one dropped file
    max_mime_depth: int = Field(default=12, gt=0)  # nested multiparts / attached messages
    max_attachments: int = Field(default=40, gt=0)  # parts read per email
    max_pages_per_item: int = Field(default=100, gt=0)  # pages OCRed or read, all parts together (and per file)
    max_page_points: float = Field(default=5_000.0, gt=0)  # a PDF page side (1 pt = 1/72 in; A0 is 3,370)
    max_pixels_per_page: int = Field(default=60_000_000, gt=0)  # after any scaling; also Pillow's bomb limit
    max_text_chars: int = Field(default=200_000, gt=0)  # read by spaCy and the classifier (stored whole)
    ocr_seconds_per_item: float = Field(default=600.0, gt=0)  # OCR budget of one item, all its pages
    worker_memory_mb: int = Field(default=2_048, gt=0)  # address-space limit of each OCR worker


class ClassifierSettings(Section):
    model_dir: Path = Path("models")
    review_threshold: float = 0.55  # top-1 probability under which a clerk must look (no per-competence threshold)
    target_precision: float = 0.97  # auto-routing thresholds are chosen per competence for this precision
    retrain_min_corrections: int = 50  # `triage run --retrain`: new review decisions needed to train again
    retrain_nightly: bool = False  # the same as always passing --retrain


class WebSettings(Section):
    """The review page (`triage serve`): where it listens and how long a session lasts."""

    host: str = "127.0.0.1"
    port: int = 8080
    secret_key: SecretRef = SecretRef(env="TRIAGE_WEB_SECRET")  # signs session cookies
    session_idle_minutes: int = 60  # a session unused this long must log in again
    session_max_hours: int = 12  # and no session lasts longer than a working day
    cookie_secure: bool = False  # set to true behind HTTPS
    page_size: int = 50
    claim_minutes: int = Field(5, ge=1, le=120)  # an opened item stays reserved to its clerk this long


class SmtpSettings(Section):
    """The mail server used to send the morning report and the letters."""

    host: str = ""  # empty: sending by email is disabled
    port: int = 587
    security: Literal["starttls", "ssl", "none"] = "starttls"  # none: a relay on this machine only
    username: str = ""
    password: SecretRef | None = None
    sender: str = "triage@grandbesancon.fr"
    timeout_s: float = 30.0

    @model_validator(mode="after")
    def _check(self) -> "SmtpSettings":
        problem = self.cleartext_login()
        if problem:
            raise ValueError(problem)
        return self

    def cleartext_login(self) -> str | None:
        """Why these settings would send a password in clear over the network (a password given away)."""
        if self.security == "none" and self.host and self.host not in LOOPBACK_HOSTS \
                and (self.username or self.password):
            return (f"[smtp] security = \"none\" avec identifiant vers {self.host} : le mot de passe passerait "
                    "en clair sur le réseau ; choisissez starttls (587) ou ssl (465)")
        return None


class ReportSettings(Section):
    recipients: list[str] = Field(default_factory=list)
    subject: str = "Courrier du {date} : débrief du matin"
    near_due_days: int = 5  # "near its due date": due within this many calendar days
    out_dir: Path | None = None  # default: <data_dir>/reports


class LoggingSettings(Section):
    level: str = "WARNING"  # INFO with --verbose
    format: str = "plain"  # plain or json
    file: Path | None = None  # default: stderr


class LettersSettings(Section):
    """Letters to senders (Code des relations entre le public et l'administration)."""

    templates_dir: Path = Path("config/letters")
    out_dir: Path | None = None  # default: <data_dir>/letters
    organisation: str = "Grand Besançon Métropole"
    address: str = "4 rue Gabriel Plançon, 25043 Besançon Cedex"
    email: str = ""
    phone: str = ""
    signatory: str = "Le service Accueil et courrier"
    implicit_decision_delay: str = "2 months"  # CRPA L231-1 and L231-4
    silence_accepts: list[str] = Field(default_factory=list)  # competences where silence means acceptance
    no_acknowledgement: list[str] = Field(default_factory=lambda: ["finances_achats", "cabinet"])
    service_contacts: dict[str, dict[str, str]] = Field(default_factory=dict)  # service → address/email/phone
    authority_contacts: dict[str, dict[str, str]] = Field(default_factory=dict)  # authority → address/email


class NotifySettings(Section):
    """The services' emails (`triage notify`, pipeline/notify/): digests, urgent items, reminders, escalations."""

    base_url: str = "http://127.0.0.1:8080"  # the review site as the services reach it: links in the emails
    digest_hour: int | None = Field(default=11, ge=0, le=23)  # `triage notify` sends the digests from this hour
    reminder_days: int = Field(default=3, ge=0)  # remind this many working days before the due date
    default_engagement_days: int = Field(default=15, ge=1)  # answer within N working days, unless the entry says
    max_attempts: int = Field(default=5, ge=1)  # a message failing this many times stays failed (reported)
    backoff_minutes: float = Field(default=10.0, ge=0)  # wait before retrying, doubled after each failure


class ExecutorSettings(Section):
    """Where the OCR of pages runs: this machine's processes by default, a Dask distributed cluster when
    `address` is set (pipeline/extract/cluster.py). Several machines then share one PostgreSQL database."""

    address: str = ""  # e.g. "tcp://10.0.0.5:8786", the `dask scheduler`; empty: local processes ([ocr] workers)
    connect_timeout_s: float = Field(default=30.0, gt=0)  # to reach the scheduler and see a worker

    @model_validator(mode="after")
    def _check(self) -> "ExecutorSettings":
        if self.address and not re.match(r"^(tcp|tls)://[^\s/]+:\d+$", self.address):
            raise ValueError(f"[executor] address invalide : {self.address!r} (ex. \"tcp://10.0.0.5:8786\")")
        return self


class Settings(BaseSettings):
    """Everything a run needs. Relative paths are relative to the working directory."""

    model_config = SettingsConfigDict(env_prefix="TRIAGE_", env_nested_delimiter="__", extra="forbid")

    database_url: str = "sqlite:///var/triage.sqlite"
    data_dir: Path = Path("var")
    reference_dir: Path = Path("data/reference")
    routing_file: Path = Path("config/routing.toml")
    seed_dir: Path = Path("data/seed")
    chrono_pattern: str = "A-{year}-{number:06d}"
    timezone: str = "Europe/Paris"
    folders: list[FolderSource] = Field(default_factory=list)
    mailboxes: list[MailboxSource] = Field(default_factory=list)
    ocr: OcrSettings = Field(default_factory=OcrSettings)
    limits: LimitsSettings = Field(default_factory=LimitsSettings)
    classifier: ClassifierSettings = Field(default_factory=ClassifierSettings)
    smtp: SmtpSettings = Field(default_factory=SmtpSettings)
    report: ReportSettings = Field(default_factory=ReportSettings)
    logging: LoggingSettings = Field(default_factory=LoggingSettings)
    letters: LettersSettings = Field(default_factory=LettersSettings)
    web: WebSettings = Field(default_factory=WebSettings)
    executor: ExecutorSettings = Field(default_factory=ExecutorSettings)
    notify: NotifySettings = Field(default_factory=NotifySettings)

    @property
    def file_store_dir(self) -> Path:
        return self.data_dir / "files"

    @classmethod
    def settings_customise_sources(cls, settings_cls, init_settings, env_settings, dotenv_settings,
                                   file_secret_settings) -> tuple[PydanticBaseSettingsSource, ...]:
        # Precedence: explicit arguments, then TRIAGE_* variables, then the TOML file.
        return init_settings, env_settings, TomlConfigSettingsSource(settings_cls)


def load_settings(path: Path | None = None, **overrides) -> Settings:
    """Read the TOML file (if it exists), apply TRIAGE_* overrides, then explicit overrides."""
    path = Path(path) if path else DEFAULT_CONFIG
    if path != DEFAULT_CONFIG and not path.exists():
        raise ConfigError(f"fichier de configuration introuvable : {path}")
    toml_file = path if path.exists() else None
    bound = type("BoundSettings", (Settings,), {"model_config": {**Settings.model_config, "toml_file": toml_file}})
    try:
        return bound(**overrides)
    except ValidationError as exc:
        raise ConfigError(f"configuration invalide ({path}) : {describe_errors(exc, Settings)}",
                          hint="corrigez le fichier, puis « triage doctor »") from exc
    except (tomllib.TOMLDecodeError, OSError) as exc:  # a typo in the file is a configuration error, not a bug
        raise ConfigError(f"configuration illisible ({path}) : {exc}") from exc
