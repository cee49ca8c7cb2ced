"""Follow-ups at the store's edge: linking a new item to the earlier one it follows, inside the same
transaction as its insertion, routing it where the first one went, and counting them for the debrief.

The rules are in pipeline/followups.py; here only the candidates are fetched: the messages its email
thread names, the chrono numbers it quotes, and the same sender's items of the last months.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from pipeline.followups import CHRONO, WINDOW_DAYS, Link, Mail, find_link
from pipeline.status import label as status_label
from pipeline.store.schema import ItemRow

MAX_CANDIDATES = 200
ROUTED_AS = ("competence", "commune", "destination_kind", "destination")


@dataclass(frozen=True)
class Earlier:
    """An earlier item of a follow-up chain and what became of it."""

    id: int
    chrono: str
    received_at: datetime | None
    subject: str
    status: str
    status_label: str
    destination: str
    reason: str  # why the later item was linked to it


def _mail(row: ItemRow) -> Mail:
    return Mail(row.id, row.chrono, row.sender or "", row.sender_email or "", row.sender_postcode or "",
                row.subject or "", row.text or "", _aware(row.received_at), row.letter_date, row.message_id,
                tuple((row.thread_ids or "").split()))


def _aware(value: datetime | None) -> datetime | None:
    return value.replace(tzinfo=timezone.utc) if value is not None and value.tzinfo is None else value


def link_followup(session: Session, row: ItemRow) -> Link | None:
    """Link a just-inserted item (flushed, not committed) to the earlier item it follows, and route it
    there; the clerk can change both on the item page."""
    new = _mail(row)
    since = (new.received or datetime.now(timezone.utc)) - timedelta(days=WINDOW_DAYS)
    who = []
    if row.sender_email:
        who.append(func.lower(ItemRow.sender_email) == row.sender_email.lower())
    elif row.sender_postcode:
        who.append(ItemRow.sender_postcode == row.sender_postcode)
    chronos = sorted(set(CHRONO.findall(row.text or "")) | set(CHRONO.findall(row.subject or "")))[:20]
    wanted = []
    if new.thread_ids:
        wanted.append(ItemRow.message_id.in_(new.thread_ids[:50]))
    if chronos:
        wanted.append(ItemRow.chrono.in_(chronos))
    if who:
        wanted.append(or_(*who) & (ItemRow.received_at >= since))
    if not wanted:
        return None
    query = (select(ItemRow).where(ItemRow.id != row.id, ItemRow.purged_at.is_(None), or_(*wanted))
             .order_by(ItemRow.received_at.desc(), ItemRow.id.desc()).limit(MAX_CANDIDATES))
    link = find_link(new, [_mail(c) for c in session.execute(query).scalars()])
    if link is None:
        return None
    earlier = session.get(ItemRow, link.earlier)
    row.followup_of, row.followup_reason = earlier.id, link.reason[:300]
    if earlier.competence and earlier.destination:
        for name in ROUTED_AS:
            setattr(row, name, getattr(earlier, name))
    return link


def earlier_items(session: Session, item_id: int, depth: int = 10) -> list[Earlier]:
    """The chain of items this one follows, the nearest first, with their status and destination."""
    out, seen = [], {item_id}
    row = session.get(ItemRow, item_id)
    while row is not None and row.followup_of and row.followup_of not in seen and len(out) < depth:
        reason = row.followup_reason
        row = session.get(ItemRow, row.followup_of)
        if row is None:
            break
        seen.add(row.id)
        out.append(Earlier(row.id, row.chrono, row.received_at, row.subject, row.status,
                           status_label(row.status), row.destination, reason))
    return out


def later_items(session: Session, item_id: int) -> list[Earlier]:
    """The follow-ups already received for this item."""
    rows = session.execute(select(ItemRow).where(ItemRow.followup_of == item_id).order_by(ItemRow.id)).scalars()
    return [Earlier(r.id, r.chrono, r.received_at, r.subject, r.status, status_label(r.status), r.destination,
                    r.followup_reason) for r in rows]


def followups_per_service(database, start: datetime, end: datetime) -> dict[str, int]:
    """Follow-ups received in [start, end) per destination (service, town hall...), most first."""
    with database() as session:
        return count_per_service(session, start, end)


def count_per_service(session: Session, start: datetime, end: datetime) -> dict[str, int]:
    """The same, within a session the caller already holds (the debrief page)."""
    rows = session.execute(select(ItemRow.destination, func.count(ItemRow.id))
                           .where(ItemRow.followup_of.is_not(None), ItemRow.received_at >= start,
                                  ItemRow.received_at < end)
                           .group_by(ItemRow.destination)).all()
    return dict(sorted(((d or "—", n) for d, n in rows), key=lambda pair: (-pair[1], pair[0])))


__all__ = ["Earlier", "earlier_items", "later_items", "followups_per_service", "count_per_service", "link_followup"]
