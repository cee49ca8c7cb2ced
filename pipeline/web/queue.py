"""The review queue: filters from the address bar, the order clerks work in, pages, next item.

Order: urgent first, then the nearest due date, then the oldest registration. Filters travel
in the query string (French names) so a clerk can bookmark or share a view of the queue.
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta, timezone
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

import re

from sqlalchemy import and_, false, func, select, true, tuple_
from sqlalchemy.orm import Session

from pipeline.reference import HORS
from pipeline.store.schema import ItemRow
from pipeline.web import search

STATUSES = {"to_review": "À revoir", "routed": "Routé automatiquement", "confirmed": "Confirmé",
            "corrected": "Corrigé", "handled": "Traité"}
ALL = "tous"
NO_COMMUNE = "AUCUNE"
CHANNELS = {"email": "Courriel", "courrier": "Courrier papier"}
LIST_COLUMNS = (ItemRow.id, ItemRow.chrono, ItemRow.channel, ItemRow.sender, ItemRow.sender_email,
                ItemRow.subject, ItemRow.received_at, ItemRow.status, ItemRow.competence, ItemRow.confidence,
                ItemRow.commune, ItemRow.urgent, ItemRow.due_date, ItemRow.destination, ItemRow.version,
                func.substr(ItemRow.text, 1, 1000).label("preview"))
SUBJECT_LINE = re.compile(r"^\s*(?:objet|obj\.?|concerne)\s*:\s*(.+)$", re.IGNORECASE | re.MULTILINE)


def display_subject(subject: str | None, text: str | None) -> str:
    """The subject, or for a scanned letter its "Objet :" line, else its first line."""
    if subject:
        return subject
    found = SUBJECT_LINE.search(text or "")
    if found:
        return found.group(1).strip()[:200]
    first = next((line.strip() for line in (text or "").splitlines() if line.strip()), "")
    return first[:120] or "(sans objet)"


@dataclass(frozen=True)
class Filters:
    status: str = "to_review"  # a key of STATUSES, or ALL
    competence: str = ""
    commune: str = ""  # INSEE code, HORS, or NO_COMMUNE
    channel: str = ""
    date_from: date | None = None
    date_to: date | None = None
    q: str = ""
    urgent: bool = False
    min_confidence: int | None = None  # percent
    page: int = 1

    @classmethod
    def from_params(cls, params) -> "Filters":
        """Read the query string leniently: a malformed value is ignored, never an error page."""
        status = params.get("statut", "to_review")
        return cls(status=status if status in STATUSES or status == ALL else "to_review",
                   competence=params.get("competence", "")[:40], commune=params.get("commune", "")[:10],
                   channel=params.get("canal", "") if params.get("canal", "") in CHANNELS else "",
                   date_from=_date(params.get("du")), date_to=_date(params.get("au")),
                   q=params.get("q", "")[:200].strip(), urgent=params.get("urgent") == "1",
                   min_confidence=_int(params.get("confiance_min"), 0, 100), page=_int(params.get("page"), 1) or 1)

    def params(self, **changes) -> dict[str, str]:
        current = replace(self, **changes)
        out = {"statut": current.status if current.status != "to_review" else "", "competence": current.competence,
               "commune": current.commune, "canal": current.channel,
               "du": current.date_from.isoformat() if current.date_from else "",
               "au": current.date_to.isoformat() if current.date_to else "", "q": current.q,
               "urgent": "1" if current.urgent else "",
               "confiance_min": str(current.min_confidence) if current.min_confidence is not None else "",
               "page": str(current.page) if current.page > 1 else ""}
        return {k: v for k, v in out.items() if v}

    def query_string(self, **changes) -> str:
        return urlencode(self.params(**changes))

    @property
    def active(self) -> bool:
        """Whether anything narrows the view besides the status."""
        return bool(self.competence or self.commune or self.channel or self.date_from or self.date_to or self.q
                    or self.urgent or self.min_confidence is not None)


def _date(value: str | None) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None


def _int(value: str | None, low: int, high: int | None = None) -> int | None:
    try:
        number = int(value) if value not in (None, "") else None
    except ValueError:
        return None
    if number is None:
        return None
    return max(low, min(number, high)) if high is not None else max(low, number)


def conditions(filters: Filters, search_mode: str, zone: ZoneInfo, few_matches: bool = False) -> list:
    """The WHERE clauses of a view of the queue (`few_matches`: see search.condition)."""
    where = []
    if filters.status != ALL:
        where.append(ItemRow.status == filters.status)
    if filters.competence:
        where.append(ItemRow.competence == filters.competence)
    if filters.commune == NO_COMMUNE:
        where.append(ItemRow.commune.is_(None))
    elif filters.commune:
        where.append(ItemRow.commune == filters.commune)
    if filters.channel:
        where.append(ItemRow.channel == filters.channel)
    if filters.date_from:  # days in local time, compared in UTC as stored
        where.append(ItemRow.received_at >= datetime.combine(filters.date_from, time(), zone).astimezone(timezone.utc))
    if filters.date_to:
        where.append(ItemRow.received_at < datetime.combine(filters.date_to + timedelta(days=1), time(), zone)
                     .astimezone(timezone.utc))
    if filters.urgent:
        where.append(ItemRow.urgent == true())
    if filters.min_confidence is not None:
        where.append(ItemRow.confidence >= filters.min_confidence / 100)
    if filters.q:
        matched = search.condition(search_mode, filters.q, materialize=few_matches)
        if matched is not None:
            where.append(matched)
    return where


FEW_MATCHES = 5000  # a search with fewer matches lists them from the full-text index first
# Matches the indexes ix_item_order (urgent DESC, due_date, id) and ix_item_queue (status, ...).
ORDER = (ItemRow.urgent.desc(), ItemRow.due_date.asc(), ItemRow.id.asc())


@dataclass
class Page:
    rows: list
    total: int
    number: int
    size: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.size))


def page(session: Session, filters: Filters, search_mode: str, zone: ZoneInfo, size: int) -> Page:
    where = conditions(filters, search_mode, zone)
    total = session.execute(select(func.count()).select_from(ItemRow).where(*where)).scalar_one()
    number = min(filters.page, max(1, -(-total // size)))
    if filters.q and total < FEW_MATCHES:
        where = conditions(filters, search_mode, zone, few_matches=True)
    rows = session.execute(select(*LIST_COLUMNS).where(*where).order_by(*ORDER)
                           .offset((number - 1) * size).limit(size)).all()
    return Page(rows, total, number, size)


def status_counts(session: Session) -> dict[str, int]:
    counts = dict(session.execute(select(ItemRow.status, func.count()).group_by(ItemRow.status)).all())
    return {status: counts.get(status, 0) for status in STATUSES}


def following(row, nulls_first: bool) -> list:
    """What comes after this item in the queue order, as successive slices each an index can walk.

    One OR-ed condition would be shorter, but PostgreSQL then filters the whole order instead of
    seeking in it. Due dates are always set by routing, yet a NULL must not break "next": SQLite
    sorts NULLs first in ascending order and PostgreSQL last, and each order is followed.
    """
    same = ItemRow.urgent == (true() if row.urgent else false())
    if row.due_date is None:
        slices = [and_(same, ItemRow.due_date.is_(None), ItemRow.id > row.id)]
        if nulls_first:
            slices.append(and_(same, ItemRow.due_date.is_not(None)))
    else:
        slices = [and_(same, tuple_(ItemRow.due_date, ItemRow.id) > tuple_(row.due_date, row.id))]
        if not nulls_first:
            slices.append(and_(same, ItemRow.due_date.is_(None)))
    if row.urgent:
        slices.append(ItemRow.urgent == false())
    return slices


def next_item_id(session: Session, filters: Filters, search_mode: str, zone: ZoneInfo, current,
                 exclude: int | None = None) -> int | None:
    """The next item of this view after `current` (as it was when the clerk saw it), or the first one."""
    where = conditions(filters, search_mode, zone, few_matches=True)
    if exclude is not None:
        where.append(ItemRow.id != exclude)
    nulls_first = session.get_bind().dialect.name == "sqlite"
    for part in [*following(current, nulls_first), true()]:
        found = session.execute(select(ItemRow.id).where(*where, part).order_by(*ORDER).limit(1)).scalar()
        if found is not None:
            return found
    return None


def remaining(session: Session, filters: Filters, search_mode: str, zone: ZoneInfo) -> int:
    where = conditions(filters, search_mode, zone)
    return session.execute(select(func.count()).select_from(ItemRow).where(*where)).scalar_one()


def commune_filter_label(value: str, reference) -> str:
    if value == NO_COMMUNE:
        return "Aucune"
    return reference.commune_name(value if value != HORS else HORS)
