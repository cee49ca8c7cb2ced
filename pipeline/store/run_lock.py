"""The run lock: two `triage run` never overlap, even on two machines sharing a PostgreSQL database.

PostgreSQL: a session advisory lock held on a dedicated connection for the whole run (released
by the server if the process dies). SQLite: a file lock under data_dir (released by the kernel
if the process dies). Either way the second run is told who holds the lock and exits (code 5),
or waits for it with `--wait`.
"""
from __future__ import annotations

import os
import socket
import time
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path
from typing import Iterator

from filelock import FileLock, Timeout
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from pipeline.config import Settings
from pipeline.errors import AlreadyRunningError, DatabaseError
from pipeline.store.database import make_engine

ADVISORY_KEY = 0x7472_6961_6765  # "triage": the same key for every machine using the database
LOCK_FILE = "triage-run.lock"


def _holder() -> str:
    return f"pid {os.getpid()} sur {socket.gethostname()}, depuis {datetime.now(timezone.utc):%d/%m/%Y %H:%M} UTC"


def _refusal(holder: str) -> AlreadyRunningError:
    return AlreadyRunningError(f"un autre « triage run » est déjà en cours ({holder or 'processus inconnu'}) : "
                               "ce lancement s'arrête sans rien traiter",
                               hint="attendez la fin du traitement en cours, ou relancez avec --wait SECONDES")


@contextmanager
def run_lock(settings: Settings, wait_s: float = 0.0) -> Iterator[None]:
    """Hold the run lock for the duration of the block; AlreadyRunningError when it is taken."""
    if settings.database_url.startswith("postgresql"):
        with _advisory_lock(settings.database_url, wait_s):
            yield
    else:
        with _file_lock(Path(settings.data_dir), wait_s):
            yield


@contextmanager
def _file_lock(data_dir: Path, wait_s: float) -> Iterator[None]:
    data_dir.mkdir(parents=True, exist_ok=True)
    info = data_dir / (LOCK_FILE + ".info")
    lock = FileLock(data_dir / LOCK_FILE, timeout=wait_s)
    try:
        lock.acquire()
    except Timeout:
        raise _refusal(info.read_text(encoding="utf-8").strip() if info.exists() else "") from None
    try:
        info.write_text(_holder() + "\n", encoding="utf-8")
        yield
    finally:
        info.unlink(missing_ok=True)
        lock.release()


@contextmanager
def _advisory_lock(url: str, wait_s: float) -> Iterator[None]:
    engine = make_engine(url)
    try:
        connection = engine.connect()
    except SQLAlchemyError as exc:
        engine.dispose()
        raise DatabaseError(f"base de données injoignable ({engine.url.render_as_string(hide_password=True)}) : "
                            f"{_first_line(exc)}", hint="vérifiez que PostgreSQL tourne et database_url") from exc
    try:
        connection.execute(text("SELECT set_config('application_name', :name, false)"),
                           {"name": f"triage run ({_holder()})"[:63]})
        deadline = time.monotonic() + wait_s
        while not connection.execute(text("SELECT pg_try_advisory_lock(:key)"), {"key": ADVISORY_KEY}).scalar():
            if time.monotonic() >= deadline:
                raise _refusal(_advisory_holder(connection))
            time.sleep(1.0)
        connection.commit()
        try:
            yield
        finally:
            _unlock(connection)
    finally:
        _quietly(connection.close)
        engine.dispose()


def _unlock(connection) -> None:
    """Release the advisory lock; on a dead connection the server has already released it, and the
    error that killed the run (PostgreSQL lost: exit 12) must not be hidden by this one."""
    try:
        connection.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": ADVISORY_KEY})
        connection.commit()
    except SQLAlchemyError:
        pass


def _quietly(action) -> None:
    try:
        action()
    except SQLAlchemyError:
        pass


def _advisory_holder(connection) -> str:
    """Who holds the advisory lock, from pg_locks and pg_stat_activity (the application_name we set)."""
    row = connection.execute(text(
        "SELECT a.application_name, a.client_addr FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid "
        "WHERE l.locktype = 'advisory' AND l.granted AND "
        "((l.classid::bigint << 32) | l.objid::bigint) = :key LIMIT 1"), {"key": ADVISORY_KEY}).first()
    connection.rollback()
    if row is None:
        return ""
    name = (row.application_name or "").removeprefix("triage run (").removesuffix(")")
    return name + (f", client {row.client_addr}" if row.client_addr else "")


def _first_line(exc: SQLAlchemyError) -> str:
    orig = getattr(exc, "orig", None)
    return (str(orig or exc).strip().splitlines() or [""])[0]


def run_lock_free(settings: Settings) -> bool:
    """Whether no `triage run` holds the lock now (a "running" run row is then a crashed run)."""
    try:
        with run_lock(settings, 0.0):
            return True
    except AlreadyRunningError:
        return False
