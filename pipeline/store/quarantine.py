"""The quarantine: documents the pipeline could not turn into items, kept byte for byte with a reason.

An entry is `open` until an admin discards it (with a note) or asks for a retry; a retry is only
queued here (`retry_requested`): the next `triage run` reads it back as one more source and its
outcome resolves the entry (`retried`) or leaves it open with the new reason.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from pipeline.item import Document
from pipeline.store.files import FileStore
from pipeline.store.items import now, without_nul
from pipeline.store.schema import QuarantineRow


class QuarantineStatus(StrEnum):
    OPEN = "open"
    RETRY_REQUESTED = "retry_requested"
    RETRIED = "retried"
    DISCARDED = "discarded"

    @property
    def label(self) -> str:
        return LABELS[self]


LABELS = {QuarantineStatus.OPEN: "À traiter", QuarantineStatus.RETRY_REQUESTED: "Réessai demandé",
          QuarantineStatus.RETRIED: "Réessayé avec succès", QuarantineStatus.DISCARDED: "Écarté"}
UNRESOLVED = (QuarantineStatus.OPEN, QuarantineStatus.RETRY_REQUESTED)


@dataclass(frozen=True)
class QuarantineEntry:
    id: int
    run_id: int | None
    source: str
    ref: str
    filename: str
    sha256: str
    size: int
    reason: str
    reason_slug: str
    created_at: datetime
    status: str
    resolved_by: str | None
    resolved_at: datetime | None
    item_id: int | None
    note: str
    retry_requested_by: str | None

    @property
    def status_label(self) -> str:
        return QuarantineStatus(self.status).label


def _entry(row: QuarantineRow) -> QuarantineEntry:
    return QuarantineEntry(row.id, row.run_id, row.source, row.ref, row.filename, row.sha256, row.size, row.reason,
                           row.reason_slug or "unreadable", row.created_at, row.status, row.resolved_by,
                           row.resolved_at, row.item_id, row.note or "", row.retry_requested_by)


def write(session: Session, document: Document, reason: str, slug: str, files: FileStore, *,
          run_id: int | None) -> int:
    """Keep the raw bytes and the reason (caller commits); an unresolved entry for the same bytes is
    updated and opened again, not doubled."""
    sha256 = files.put(document.raw)  # even empty: a retry reads it back from the store
    reason = without_nul(reason)[:2000]
    row = session.execute(select(QuarantineRow).where(QuarantineRow.sha256 == sha256,
                                                      QuarantineRow.status.in_(UNRESOLVED))
                          .order_by(QuarantineRow.id).limit(1)).scalar_one_or_none()
    if row is None:
        row = QuarantineRow(source=without_nul(document.source)[:200], ref=without_nul(document.ref)[:1000],
                            filename=without_nul(document.filename)[:500], sha256=sha256, size=len(document.raw),
                            reason=reason, reason_slug=slug[:40], created_at=now(), run_id=run_id,
                            status=QuarantineStatus.OPEN)
        session.add(row)
    else:
        row.reason, row.reason_slug, row.run_id, row.status = reason, slug[:40], run_id, QuarantineStatus.OPEN
    session.flush()
    return row.id


def get(session: Session, entry_id: int) -> QuarantineEntry | None:
    row = session.get(QuarantineRow, entry_id)
    return _entry(row) if row else None


def count_by_status(session: Session) -> dict[str, int]:
    return dict(session.execute(select(QuarantineRow.status, func.count()).group_by(QuarantineRow.status)).all())


def count_by_reason(session: Session, status: str) -> dict[str, int]:
    """Entries of one status per reason slug, the most frequent first."""
    rows = session.execute(select(QuarantineRow.reason_slug, func.count()).where(QuarantineRow.status == status)
                           .group_by(QuarantineRow.reason_slug).order_by(func.count().desc(),
                                                                        QuarantineRow.reason_slug)).all()
    return {slug or "unreadable": n for slug, n in rows}


def list_entries(session: Session, status: str, *, slug: str | None = None, offset: int = 0,
                 limit: int = 50) -> tuple[list[QuarantineEntry], int]:
    """One page of entries of a status (optionally of one reason slug), newest first, and their total."""
    where = [QuarantineRow.status == status] + ([QuarantineRow.reason_slug == slug] if slug else [])
    total = session.execute(select(func.count()).select_from(QuarantineRow).where(*where)).scalar_one()
    rows = session.execute(select(QuarantineRow).where(*where)
                           .order_by(QuarantineRow.created_at.desc(), QuarantineRow.id.desc())
                           .offset(offset).limit(limit)).scalars()
    return [_entry(row) for row in rows], total


def discard(session: Session, entry_id: int, user: str, note: str) -> bool:
    """Mark an unresolved entry discarded with the admin's reason (commits); False when already resolved."""
    row = session.get(QuarantineRow, entry_id)
    if row is None or row.status not in UNRESOLVED:
        return False
    row.status, row.resolved_by, row.resolved_at = QuarantineStatus.DISCARDED, user, now()
    row.note = without_nul(note)[:1000]
    session.commit()
    return True


def request_retry(session: Session, entry_id: int, user: str) -> bool:
    """Queue an open entry for the next run (commits); False when it is not open."""
    row = session.get(QuarantineRow, entry_id)
    if row is None or row.status != QuarantineStatus.OPEN:
        return False
    row.status, row.retry_requested_by, row.retry_requested_at = QuarantineStatus.RETRY_REQUESTED, user, now()
    session.commit()
    return True


def pending_retries(session: Session) -> list[QuarantineEntry]:
    """Entries queued for a retry, oldest request first."""
    rows = session.execute(select(QuarantineRow).where(QuarantineRow.status == QuarantineStatus.RETRY_REQUESTED)
                           .order_by(QuarantineRow.retry_requested_at, QuarantineRow.id)).scalars()
    return [_entry(row) for row in rows]


def resolve(session: Session, sha256: str, item_id: int) -> None:
    """These bytes are now an item (stored or joined): their unresolved entries are settled (caller commits)."""
    rows = session.execute(select(QuarantineRow).where(QuarantineRow.sha256 == sha256,
                                                       QuarantineRow.status.in_(UNRESOLVED))).scalars()
    for row in rows:
        row.status, row.item_id, row.resolved_at = QuarantineStatus.RETRIED, item_id, now()
        row.resolved_by = row.retry_requested_by or "triage run"


def count_unresolved(session: Session) -> int:
    return session.execute(select(func.count()).where(QuarantineRow.status.in_(UNRESOLVED))).scalar_one()


def open_reason(session: Session, sha256: str) -> tuple[str, str] | None:
    """(reason, slug) of the open entry for these bytes: the same file dropped again is not read again."""
    row = session.execute(select(QuarantineRow.reason, QuarantineRow.reason_slug)
                          .where(QuarantineRow.sha256 == sha256, QuarantineRow.status == QuarantineStatus.OPEN)
                          .limit(1)).first()
    return (row.reason, row.reason_slug) if row else None
