"""The "who does what" book in the database: every edit is a new whole version, the latest is current.

The first reader seeds version 1 from the shipped file, so a new database routes like the product
on day one; afterwards the admins' edits win over the file.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from pipeline.knowledge import KnowledgeBase
from pipeline.store.schema import KnowledgeVersionRow

SEED_AUTHOR = "système"


class KnowledgeConflict(Exception):
    """Someone saved another version since the editor opened the page."""


@dataclass(frozen=True)
class Version:
    number: int
    created_at: datetime
    author: str
    note: str
    content: dict


def _version(row: KnowledgeVersionRow) -> Version:
    return Version(row.number, row.created_at, row.author, row.note, row.content)


def current(session: Session) -> Version | None:
    row = session.execute(select(KnowledgeVersionRow).order_by(KnowledgeVersionRow.number.desc()).limit(1)).scalar()
    return _version(row) if row else None


def current_or_seed(session: Session, shipped: dict) -> Version:
    """The current version; on an empty table, version 1 made from the shipped book (committed)."""
    found = current(session)
    if found is not None:
        return found
    try:
        return save(session, shipped, SEED_AUTHOR, "version livrée avec le logiciel", expected=0)
    except KnowledgeConflict:  # another process seeded it at the same moment
        session.rollback()
        return current(session)


def save(session: Session, content: dict, author: str, note: str, *, expected: int) -> Version:
    """Store `content` as the version after `expected` (the one the editor saw) and commit.

    Two admins saving at once: the second one's insert collides on the version number and
    gets KnowledgeConflict, nothing of theirs is stored."""
    latest = session.execute(select(func.max(KnowledgeVersionRow.number))).scalar() or 0
    if latest != expected:
        raise KnowledgeConflict(latest)
    row = KnowledgeVersionRow(number=expected + 1, created_at=datetime.now(timezone.utc), author=author[:100],
                              note=note[:500], content=content)
    session.add(row)
    try:
        session.commit()
    except IntegrityError as exc:
        session.rollback()
        raise KnowledgeConflict(expected + 1) from exc
    return _version(row)


def for_run(sessions, shipped: KnowledgeBase) -> KnowledgeBase:
    """The book a run routes with: the database's current version (seeded from the shipped one)."""
    with sessions() as session:
        return KnowledgeBase.from_dict(current_or_seed(session, shipped.to_dict()).content)


def history(session: Session, limit: int = 200) -> list[Version]:
    rows = session.execute(select(KnowledgeVersionRow).order_by(KnowledgeVersionRow.number.desc()).limit(limit))
    return [_version(r) for r in rows.scalars()]


def version(session: Session, number: int) -> Version | None:
    row = session.get(KnowledgeVersionRow, number)
    return _version(row) if row else None
