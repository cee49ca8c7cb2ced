"""IMAP ingestion tests against a real Dovecot (tests/imap_server.py), filled by IMAP APPEND.

`imap_run` gives a database, a file store and the session's stages and OCR pool, and runs the
real batch over real `Mailbox` sources; the kill test runs the real `triage run` command.
"""
from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import func, select

from pipeline.batch import RunSummary, run_batch
from pipeline.config import MailboxSource, Settings
from pipeline.sources.folder import Folder
from pipeline.sources.imap import Mailbox
from pipeline.store.database import open_database
from pipeline.store.files import FileStore
from pipeline.store.schema import ItemRow, ItemSourceRow, QuarantineRow
from tests.conftest import make_settings
from tests.imap_server import dovecot, dovecot_session  # noqa: F401  (fixtures)

PASSWORD_ENV = "TRIAGE_TEST_IMAP_PASSWORD"
TOPICS = [
    ("Fuite d'eau devant chez moi", "Une fuite d'eau coule sur le trottoir du 12 rue des Vignes, 25220 Thise."),
    ("Bac jaune non collecté", "Le bac jaune n'a pas été ramassé mardi au 3 rue du Stade à École-Valentin."),
    ("Nid-de-poule dangereux", "Un trou profond s'est formé sur la chaussée route de Gray à Besançon."),
    ("Abonnement bus Ginko", "Je voudrais un abonnement de bus pour mon fils, lycéen à Besançon."),
    ("Facture d'assainissement", "Ma facture d'assainissement me semble trop élevée, 25480 Miserey-Salines."),
    ("Dépôt sauvage", "Des gravats ont été abandonnés près de la déchetterie de Thise."),
]


@pytest.fixture(autouse=True)
def imap_password(monkeypatch):
    monkeypatch.setenv(PASSWORD_ENV, "secret")


def letter(n: int, *, to: str = "courrier@grandbesancon.fr", message_id: str | None = None,
           extra_headers: str = "") -> bytes:
    """A small, plain French email, different for each n."""
    subject, body = TOPICS[n % len(TOPICS)]
    return (f"From: Habitant {n} <habitant{n}@example.org>\r\nTo: {to}\r\n{extra_headers}"
            f"Subject: {subject} (n° {n})\r\nDate: Mon, 23 Nov 2026 09:{n % 60:02d}:00 +0100\r\n"
            f"Message-ID: {message_id or f'<lettre-{n}@example.org>'}\r\nMIME-Version: 1.0\r\n"
            f"Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n"
            f"Bonjour,\r\n{body}\r\nMerci de votre aide. Demande {n}.\r\nHabitant {n}\r\n").encode()


def mailbox_spec(server, name: str = "courrier", user: str = "courrier", **overrides) -> MailboxSource:
    """A mailbox on the test server, implicit TLS verified against its CA, quick retries."""
    base = dict(name=name, host=server.host, port=server.tls_port, tls="implicit", ca_file=server.ca_file,
                user=user, password={"env": PASSWORD_ENV}, retries=2, backoff_s=0.05, timeout_s=15)
    base.update(overrides)
    return MailboxSource(**base)


@dataclass
class ImapRun:
    settings: Settings
    sessions: object
    files: FileStore
    stages: object
    pool: object
    inbox: Path

    def run(self, *sources, **kwargs) -> RunSummary:
        """One run of the real batch over these sources (MailboxSource specs become Mailbox sources)."""
        sleep = kwargs.pop("sleep", _no_sleep)
        built = [Mailbox(s, self.sessions, sleep=sleep, read_only=kwargs.get("dry_run", False))
                 if isinstance(s, MailboxSource) else s for s in sources]
        return run_batch(built, self.stages, self.sessions, self.files, self.pool, **kwargs)

    def folder(self) -> Folder:
        return Folder(self.settings.folders[0])

    def count(self, model, *where) -> int:
        with self.sessions() as session:
            return session.execute(select(func.count()).select_from(model).where(*where)).scalar_one()

    def items(self) -> int:
        return self.count(ItemRow)

    def quarantined(self) -> int:
        return self.count(QuarantineRow)

    def state(self, mailbox: str = "courrier", folder: str = "INBOX"):
        from pipeline.store.mailbox_state import get_state
        with self.sessions() as session:
            return get_state(session, mailbox, folder)

    def sources_of(self, message_id: str) -> list[tuple[str, str]]:
        with self.sessions() as session:
            item = session.execute(select(ItemRow).where(ItemRow.message_id == message_id)).scalar_one()
            return sorted((s.source, s.ref) for s in session.execute(
                select(ItemSourceRow).where(ItemSourceRow.item_id == item.id)).scalars())


def _no_sleep(_seconds: float) -> None:
    pass


def make_imap_run(tmp_path, model_dir, stages, pool, database_url: str | None = None) -> ImapRun:
    settings = make_settings(tmp_path, model_dir, database_url)
    return ImapRun(settings, open_database(settings.database_url), FileStore(settings.file_store_dir), stages, pool,
                   settings.folders[0].path)


@pytest.fixture
def imap_run(tmp_path, model_dir, stages, pool) -> ImapRun:
    """On SQLite; `make_imap_run(..., postgres_url)` for PostgreSQL."""
    return make_imap_run(tmp_path, model_dir, stages, pool)


def flags_by_uid(server, folder: str = "INBOX", user: str = "courrier") -> dict[int, set[str]]:
    """Every message of a folder and its flags, read by a fresh connection."""
    with server.client(user) as client:
        client.select_folder(folder, readonly=True)
        uids = client.search()
        found = client.fetch(uids, ["FLAGS"]) if uids else {}
    flags = {uid: {f.decode() if isinstance(f, bytes) else f for f in data[b"FLAGS"]} for uid, data in found.items()}
    return {uid: f - {"\\Recent"} for uid, f in flags.items()}  # \Recent is the session's, not ours


def message_ids_in(server, folder: str, user: str = "courrier") -> list[str]:
    with server.client(user) as client:
        client.select_folder(folder, readonly=True)
        uids = client.search()
        data = client.fetch(uids, ["BODY.PEEK[HEADER.FIELDS (MESSAGE-ID)]"]) if uids else {}
    return sorted(v[b"BODY[HEADER.FIELDS (MESSAGE-ID)]"].decode().split(":", 1)[1].strip() for v in data.values())


def mailbox_toml_section(server, *, name: str = "courrier", user: str = "courrier", password_env: str = PASSWORD_ENV,
                         ca_file: str | None = "", port: int | None = None, folders: list[str] | None = None,
                         after_store: str = "flag", batch_size: int = 20) -> str:
    """A [[mailboxes]] entry of the TOML configuration for the test server (implicit TLS)."""
    ca = server.ca_file if ca_file == "" else ca_file
    return (f'\n[[mailboxes]]\nname = "{name}"\nhost = "{server.host}"\nport = {port or server.tls_port}\n'
            f'tls = "implicit"\n' + (f'ca_file = "{ca}"\n' if ca else "")
            + f'user = "{user}"\npassword = {{ env = "{password_env}" }}\n'
            f'folders = {json.dumps(folders or ["INBOX"], ensure_ascii=False)}\n'
            f'after_store = "{after_store}"\nmove_to = "Traité"\nbatch_size = {batch_size}\n'
            f'retries = 1\nbackoff_s = 0.1\n')


def environ_with_password() -> dict:
    return {**os.environ, PASSWORD_ENV: "secret"}
