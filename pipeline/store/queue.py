"""The review queue in the database: a view's conditions, its pages and counts, the next item.

Order: urgent first, then the nearest due date, then the oldest registration (the indexes
ix_item_order and ix_item_queue follow it). What crosses out is plain data: `QueueEntry` rows.
"""
from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

from sqlalchemy import and_, false, func, select, true, tuple_
from sqlalchemy.orm import Session

from pipeline.status import ItemStatus
from pipeline.store import claims, search
from pipeline.store.schema import ItemRow

ALL = "tous"
NO_COMMUNE = "AUCUNE"
FEW_MATCHES = 5000  # a search with fewer matches lists them from the full-text index first
ORDER = (ItemRow.urgent.desc(), ItemRow.due_date.asc(), ItemRow.id.asc())


@dataclass(frozen=True)
class QueueView:
    """Which items a clerk is looking at; the web page reads it from the address bar."""

    status: str = ItemStatus.TO_REVIEW  # an ItemStatus, or ALL
    competence: str = ""
    commune: str = ""  # INSEE code, HORS, or NO_COMMUNE
    channel: str = ""
    date_from: date | None = None
    date_to: date | None = None
    q: str = ""
    urgent: bool = False
    min_confidence: int | None = None  # percent
    page: int = 1


@dataclass(frozen=True)
class QueueEntry:
    """One line of a list of items."""

    id: int
    chrono: str
    channel: str
    sender: str
    sender_email: str
    subject: str
    received_at: datetime | None
    status: str
    competence: str | None
    confidence: float | None
    commune: str | None
    urgent: bool
    due_date: date | None
    destination: str
    version: int
    preview: str


@dataclass(frozen=True)
class Position:
    """Where an item stood in the queue order when the clerk saw it."""

    id: int
    urgent: bool
    due_date: date | None


@dataclass(frozen=True)
class Page:
    rows: list[QueueEntry]
    total: int
    number: int
    size: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.size))


LIST_COLUMNS = tuple(getattr(ItemRow, f.name) for f in fields(QueueEntry) if f.name != "preview") + (
    func.substr(ItemRow.text, 1, 1000).label("preview"),)


@dataclass(frozen=True)
class Searching:
    """How this database searches text (search.search_mode) and the clerks' time zone for dates."""

    mode: str
    zone: ZoneInfo


def conditions(view: QueueView, how: Searching, few_matches: bool = False) -> list:
    """The WHERE clauses of a view of the queue (`few_matches`: see search.condition)."""
    where = []
    if view.status != ALL:
        where.append(ItemRow.status == view.status)
    if view.competence:
        where.append(ItemRow.competence == view.competence)
    if view.commune == NO_COMMUNE:
        where.append(ItemRow.commune.is_(None))
    elif view.commune:
        where.append(ItemRow.commune == view.commune)
    if view.channel:
        where.append(ItemRow.channel == view.channel)
    if view.date_from:  # days in local time, compared in UTC as stored
        where.append(ItemRow.received_at >= datetime.combine(view.date_from, time(), how.zone)
                     .astimezone(timezone.utc))
    if view.date_to:
        where.append(ItemRow.received_at < datetime.combine(view.date_to + timedelta(days=1), time(), how.zone)
                     .astimezone(timezone.utc))
    if view.urgent:
        where.append(ItemRow.urgent == true())
    if view.min_confidence is not None:
        where.append(ItemRow.confidence >= view.min_confidence / 100)
    if view.q:
        matched = search.condition(how.mode, view.q, materialize=few_matches)
        if matched is not None:
            where.append(matched)
    return where


def list_page(session: Session, where: list, number: int, size: int) -> Page:
    """One page of the items matching `where`, in queue order (number clamped to the last page)."""
    total = session.execute(select(func.count()).select_from(ItemRow).where(*where)).scalar_one()
    number = min(number, max(1, -(-total // size)))
    return Page(_entries(session, where, number, size), total, number, size)


def _entries(session: Session, where: list, number: int, size: int) -> list[QueueEntry]:
    rows = session.execute(select(*LIST_COLUMNS).where(*where).order_by(*ORDER)
                           .offset((number - 1) * size).limit(size)).all()
    return [QueueEntry(*row) for row in rows]


def page(session: Session, view: QueueView, how: Searching, size: int) -> Page:
    where = conditions(view, how)
    total = session.execute(select(func.count()).select_from(ItemRow).where(*where)).scalar_one()
    number = min(view.page, max(1, -(-total // size)))
    if view.q and total < FEW_MATCHES:
        where = conditions(view, how, few_matches=True)
    return Page(_entries(session, where, number, size), total, number, size)


def status_counts(session: Session) -> dict[ItemStatus, int]:
    counts = dict(session.execute(select(ItemRow.status, func.count()).group_by(ItemRow.status)).all())
    return {status: counts.get(status, 0) for status in ItemStatus}


def _following(position: Position, nulls_first: bool) -> list:
    """What comes after this item in the queue order, as successive slices each an index can walk.

    One OR-ed condition would be shorter, but PostgreSQL then filters the whole order instead of
    seeking in it. Due dates are always set by routing, yet a NULL must not break "next": SQLite
    sorts NULLs first in ascending order and PostgreSQL last, and each order is followed.
    """
    same = ItemRow.urgent == (true() if position.urgent else false())
    if position.due_date is None:
        slices = [and_(same, ItemRow.due_date.is_(None), ItemRow.id > position.id)]
        if nulls_first:
            slices.append(and_(same, ItemRow.due_date.is_not(None)))
    else:
        slices = [and_(same, tuple_(ItemRow.due_date, ItemRow.id) > tuple_(position.due_date, position.id))]
        if not nulls_first:
            slices.append(and_(same, ItemRow.due_date.is_(None)))
    if position.urgent:
        slices.append(ItemRow.urgent == false())
    return slices


def next_item_id(session: Session, view: QueueView, how: Searching, current: Position | None,
                 exclude: int | None = None, user: str | None = None) -> int | None:
    """The next item of this view after `current` (as it was when the clerk saw it), or the first one.

    With `user`, items another clerk has open (store/claims.py) are skipped.
    """
    where = conditions(view, how, few_matches=True)
    if exclude is not None:
        where.append(ItemRow.id != exclude)
    if user is not None:
        where.append(claims.free_for(user))
    if current is None:
        return session.execute(select(ItemRow.id).where(*where).order_by(*ORDER).limit(1)).scalar()
    nulls_first = session.get_bind().dialect.name == "sqlite"
    for part in [*_following(current, nulls_first), true()]:
        found = session.execute(select(ItemRow.id).where(*where, part).order_by(*ORDER).limit(1)).scalar()
        if found is not None:
            return found
    return None


def remaining(session: Session, view: QueueView, how: Searching) -> int:
    where = conditions(view, how)
    return session.execute(select(func.count()).select_from(ItemRow).where(*where)).scalar_one()
