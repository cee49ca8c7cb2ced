"""The review queue in the database: a view's conditions, its pages and counts, the next item.

Order: urgent first, then the nearest due date, then the oldest registration (the indexes
ix_item_order and ix_item_queue follow it). What crosses out is plain data: `QueueEntry` rows.
"""
from __future__ import annotations

from dataclasses import dataclass, fields, replace
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

from sqlalchemy import and_, false, func, select, true, tuple_
from sqlalchemy.orm import Session

from pipeline.status import ItemStatus
from pipeline.store import claims, counts, search
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
    after: str = ""  # keyset cursor: the last row of the page before (see cursor_of)


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
    next_after: str = ""  # the cursor of the next page, when there is one
    capped: bool = False  # more than `total` items match (store/counts.py): the last page is not known

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.size), self.number + (1 if self.capped else 0))


LIST_COLUMNS = tuple(getattr(ItemRow, f.name) for f in fields(QueueEntry) if f.name != "preview") + (
    func.substr(ItemRow.text, 1, 1000).label("preview"),)


@dataclass(frozen=True)
class Searching:
    """How this database searches text (search.search_mode) and the clerks' time zone for dates."""

    mode: str
    zone: ZoneInfo


def conditions(view: QueueView, how: Searching, few_matches: bool = False, many_matches: bool = False) -> list:
    """The WHERE clauses of a view of the queue (`few_matches`, `many_matches`: see search.condition's
    materialize and walk)."""
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
        matched = search.condition(how.mode, view.q, materialize=few_matches, walk=many_matches)
        if matched is not None:
            where.append(matched)
    return where


def list_page(session: Session, where: list, number: int, size: int) -> Page:
    """One page of the items matching `where`, in queue order (number clamped to the last page)."""
    total = session.execute(select(func.count()).select_from(ItemRow).where(*where)).scalar_one()
    number = min(number, max(1, -(-total // size)))
    return Page(_entries(session, where, number, size), total, number, size)


def _entries(session: Session, where: list, number: int, size: int) -> list[QueueEntry]:
    """A page by its number: the offset is walked over the ids alone (an index-only scan of the queue
    order), then only that page's rows are read, so page 200 costs little more than page 1."""
    ids = (select(ItemRow.id).where(*where).order_by(*ORDER).offset((number - 1) * size).limit(size)
           .subquery("page_ids"))
    rows = session.execute(select(*LIST_COLUMNS).join(ids, ItemRow.id == ids.c.id).order_by(*ORDER)).all()
    return [QueueEntry(*row) for row in rows]


def _entries_after(session: Session, where: list, after: Position, size: int) -> list[QueueEntry]:
    """The page that follows `after` in queue order, each slice of the order sought through its index."""
    nulls_first = session.get_bind().dialect.name == "sqlite"
    rows: list = []
    for part in _following(after, nulls_first):
        if len(rows) >= size:
            break
        rows += session.execute(select(*LIST_COLUMNS).where(*where, part).order_by(*ORDER)
                                .limit(size - len(rows))).all()
    return [QueueEntry(*row) for row in rows]


def cursor_of(entry: QueueEntry) -> str:
    """Where a page ends, as the address bar carries it: urgent.due-date.id."""
    return f"{int(entry.urgent)}.{entry.due_date.isoformat() if entry.due_date else '-'}.{entry.id}"


def position_of(cursor: str) -> Position | None:
    """The position a cursor names, or None when it is malformed (the page is then found by number)."""
    try:
        urgent, due, item_id = cursor.split(".")
        return Position(int(item_id), urgent == "1", None if due == "-" else date.fromisoformat(due))
    except ValueError:
        return None


def page(session: Session, view: QueueView, how: Searching, size: int, counted: "Counted | None" = None) -> Page:
    """One page of a view: by its cursor when the clerk came with "Suivante", else by its number."""
    where = conditions(view, how)
    tabs, capped = counted or tab_counts(session, view, how)
    if view.status in tabs:
        total = tabs[view.status]
    elif view.status == ALL:
        total = counts.CAP
    else:  # the view's matches in all statuses are past the cap: count this tab alone, capped as well
        found, capped = _capped(session, view, how)
        total = counts.CAP if capped else sum(found.values())
    pages = max(1, -(-total // size))
    number = view.page if capped else min(view.page, pages)
    if view.q and total < FEW_MATCHES and not capped:
        where = conditions(view, how, few_matches=True)
    elif view.q and capped:
        where = conditions(view, how, many_matches=True)
    after = position_of(view.after) if view.after else None
    rows = _entries_after(session, where, after, size) if after else _entries(session, where, number, size)
    more = capped or number < pages
    return Page(rows, total, number, size, cursor_of(rows[-1]) if rows and more and len(rows) == size else "", capped)


Counted = tuple[dict, bool]


def tab_counts(session: Session, view: QueueView, how: Searching) -> Counted:
    """Items per status tab and under ALL their total; for a search or filters, the matches in each tab.

    (counts, capped): past counts.CAP matches the tabs are not counted (empty counts, True)."""
    narrowed = replace(view, status=ALL, page=1, after="")
    if narrowed == type(view)(status=ALL):
        found, capped = counts.per_status(session), False
    else:
        found, capped = _capped(session, narrowed, how)
    return ({} if capped else {**found, ALL: sum(found.values())}), capped


def _capped(session: Session, view: QueueView, how: Searching) -> Counted:
    """counts.capped of a view; a search whose words, matched whole, are already past the cap is
    past it without its costlier prefix match being counted (search.whole_words)."""
    subset = search.whole_words(how.mode, view.q) if view.q else None
    if subset is not None and counts.over_cap(session, [*conditions(replace(view, q=""), how), subset]):
        return {}, True
    return counts.capped(session, conditions(view, how))


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
    """Items in this view (counts.CAP when there are more)."""
    tabs, _ = tab_counts(session, view, how)
    if view.status in tabs:
        return tabs[view.status]
    found, capped = _capped(session, view, how)
    return counts.CAP if capped else sum(found.values())
