"""The one function that stores what became of a document: a new item, a duplicate, or a quarantine entry.

Used by the batch for every source, queued quarantine retries included, so there is one path
into the database. Each outcome is its own transaction: a commit the database refuses (a value
it will not take) rolls back and quarantines that document only; a lost database stops the run.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import sessionmaker

from pipeline.errors import StorageError
from pipeline.store import distribution, followups, items, quarantine
from pipeline.store.files import FileStore

if TYPE_CHECKING:
    from pipeline.stages import Outcome

log = logging.getLogger("triage.store")
REFUSED_SLUG = "store-refused"


@dataclass(frozen=True)
class Stored:
    """Where an outcome went: `kind` is stored, duplicate or quarantined."""

    kind: str
    item_id: int | None = None
    chrono: str | None = None
    reason: str = ""
    slug: str = ""


def store_outcome(sessions: sessionmaker, files: FileStore, outcome: "Outcome", *, run_id: int | None,
                  chrono_pattern: str) -> Stored:
    """Store an item, record a duplicate, or quarantine the document; see the module's docstring."""
    try:
        return _store(sessions, files, outcome, run_id, chrono_pattern)
    except OperationalError:
        raise  # the database went away: the runner turns it into exit code 12
    except OSError as exc:
        raise StorageError(f"stockage des fichiers impossible ({files.root}) : {exc.strerror or exc}",
                           hint="libérez de la place ou rendez le dossier inscriptible ; les fichiers restent "
                                "dans leur dossier d'arrivée") from exc
    except Exception as exc:  # noqa: BLE001 - whatever the database refuses is this document's problem
        if outcome.error is not None:
            raise
        log.exception("database refused %s", outcome.document.ref, extra={"item": outcome.document.ref})
        reason = f"enregistrement refusé par la base de données : {_first_line(exc)}"
        return _store(sessions, files, _as_quarantine(outcome, reason), run_id, chrono_pattern)


def _store(sessions: sessionmaker, files: FileStore, outcome: "Outcome", run_id: int | None,
           chrono_pattern: str) -> Stored:
    document, item = outcome.document, outcome.item
    with sessions() as session:
        if outcome.error is not None:
            quarantine.write(session, document, outcome.error, outcome.slug, files, run_id=run_id)
            session.commit()
            return Stored("quarantined", reason=outcome.error, slug=outcome.slug)
        message_id = item.message_id if item is not None else None
        existing = items.find_existing(session, document.sha256, message_id, raw=document.raw, files=files)
        if existing is None:
            if item is None:
                raise LookupError("a known duplicate is no longer in the database")
            try:
                row = items.save_item(session, item, files, run_id=run_id, chrono_pattern=chrono_pattern)
                distribution.on_stored(session, row)  # its directory name, principal and default copies
                session.flush()
                followups.link_followup(session, row)  # same transaction: a follow-up is linked or nothing is
                quarantine.resolve(session, document.sha256, row.id)
                session.commit()
                return Stored("stored", row.id, row.chrono)
            except IntegrityError:  # another run stored the same bytes a moment ago
                session.rollback()
                existing = items.find_existing(session, document.sha256, message_id, raw=document.raw, files=files)
                if existing is None:
                    raise
        items.add_source(session, existing, document, files)
        quarantine.resolve(session, document.sha256, existing.id)
        session.commit()
        return Stored("duplicate", existing.id, existing.chrono)


def _as_quarantine(outcome: "Outcome", reason: str) -> "Outcome":
    return replace(outcome, item=None, error=reason, slug=REFUSED_SLUG)


def _first_line(exc: Exception) -> str:
    text = str(getattr(exc, "orig", None) or exc).strip()
    return (text.splitlines() or [type(exc).__name__])[0][:300]
