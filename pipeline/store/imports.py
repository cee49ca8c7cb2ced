"""The journal of archive imports: what became of each file, written once its outcome is committed.

A rerun of `triage import` skips the files already journalled; a file committed but not yet
journalled when the process was killed is read again, found stored (same sha256) and journalled
then, so nothing is lost and nothing is stored twice.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from pipeline.store.items import now
from pipeline.store.schema import ArchiveFileRow, ItemRow, ItemSourceRow


@dataclass(frozen=True)
class StoredText:
    chrono: str
    text: str
    received_at: object
    first_ref: str  # the file the item was first registered from


def journalled(session: Session, archive: str) -> set[str]:
    """Relative paths of this archive whose outcome is already recorded."""
    return set(session.execute(select(ArchiveFileRow.path).where(ArchiveFileRow.archive == archive)).scalars())


def stored_text(session: Session, sha256: str) -> StoredText | None:
    """The item these bytes are (or joined), with the reference of the file it was first registered from."""
    row = session.execute(select(ItemRow.id, ItemRow.chrono, ItemRow.text, ItemRow.received_at)
                          .where(ItemRow.sha256 == sha256)).first()
    if row is None:
        source = session.execute(select(ItemSourceRow.item_id).where(ItemSourceRow.sha256 == sha256)).first()
        if source is None:
            return None
        row = session.execute(select(ItemRow.id, ItemRow.chrono, ItemRow.text, ItemRow.received_at)
                              .where(ItemRow.id == source.item_id)).first()
    first = session.execute(select(ItemSourceRow.ref).where(ItemSourceRow.item_id == row.id)
                            .order_by(ItemSourceRow.id).limit(1)).scalar()
    return StoredText(row.chrono, row.text or "", row.received_at, first or "")


def record(session: Session, archive: str, path: str, *, size: int, sha256: str, outcome: str,
           chrono: str | None, reason: str = "", competence: str | None = None) -> None:
    session.add(ArchiveFileRow(archive=archive, path=path, size=size, sha256=sha256, outcome=outcome,
                               chrono=chrono, reason=reason[:1000], competence=competence, done_at=now()))
    session.commit()


def outcomes(session: Session, archive: str) -> Counter:
    """Files of this archive by outcome, over every run of the import."""
    return Counter(dict(session.execute(select(ArchiveFileRow.outcome, func.count())
                                        .where(ArchiveFileRow.archive == archive)
                                        .group_by(ArchiveFileRow.outcome)).all()))
