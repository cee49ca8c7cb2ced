"""What the services must be told, read from the item destinations: new items (digest, urgent), open
principal destinations near or past their due date (reminder, escalation), and who the agents are."""
from __future__ import annotations

from datetime import date, datetime, tzinfo

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from pipeline.notify import Entry, Line, Person
from pipeline.status import OPEN, SETTLED
from pipeline.store.schema import DirectoryEntryRow, DirectoryPersonRow, ItemDestinationRow, ItemRow

Targets = list[tuple[Entry, list[Line]]]


def _grouped(rows, zone: tzinfo) -> Targets:
    grouped: dict[int, tuple[Entry, list[Line]]] = {}
    for destination, item, entry in rows:
        key = Entry(entry.id, entry.name, entry.email or "", entry.head_email or "")
        received = item.received_at or item.created_at
        grouped.setdefault(entry.id, (key, []))[1].append(
            Line(item.id, item.chrono, item.subject or "", item.sender or "", received.astimezone(zone).date() if received else None,
                 item.due_date, bool(item.urgent), destination.role, destination.id))
    return list(grouped.values())


def _base():
    return (select(ItemDestinationRow, ItemRow, DirectoryEntryRow)
            .join(ItemRow, ItemRow.id == ItemDestinationRow.item_id)
            .join(DirectoryEntryRow, DirectoryEntryRow.id == ItemDestinationRow.entry_id)
            .where(DirectoryEntryRow.active.is_(True), ItemDestinationRow.redirected_at.is_(None),
                   DirectoryEntryRow.kind != "administration",  # told by a transmission letter, not our mail
                   ItemRow.purged_at.is_(None)))


def not_yet_told(session: Session, zone: tzinfo, *, urgent_only: bool = False) -> Targets:
    """Destinations of settled items that no mail has told yet (principal first, then copies)."""
    query = _base().where(ItemDestinationRow.notified_at.is_(None), ItemRow.status.in_([s.value for s in SETTLED]))
    if urgent_only:
        query = query.where(ItemRow.urgent.is_(True))
    rows = session.execute(query.order_by(DirectoryEntryRow.name, ItemDestinationRow.role.desc(),
                                          ItemRow.urgent.desc(), ItemRow.id)).all()
    return _grouped(rows, zone)


def open_principals(session: Session, zone: tzinfo, *, due_from: date | None, due_until: date) -> Targets:
    """Principal destinations not answered (nor sent back) of items still open, due in [due_from, due_until]."""
    query = _base().where(ItemDestinationRow.role == "principal", ItemDestinationRow.answered_at.is_(None),
                          ItemRow.status.in_([s.value for s in OPEN]), ItemRow.due_date <= due_until)
    if due_from is not None:
        query = query.where(ItemRow.due_date >= due_from)
    return _grouped(session.execute(query.order_by(DirectoryEntryRow.name, ItemRow.due_date, ItemRow.id)).all(), zone)


def mark_told(session: Session, destination_ids: list[int], now: datetime) -> None:
    if destination_ids:
        session.execute(update(ItemDestinationRow).where(ItemDestinationRow.id.in_(destination_ids),
                                                         ItemDestinationRow.notified_at.is_(None))
                        .values(notified_at=now))


def _person(row: DirectoryPersonRow) -> Person:
    return Person(row.id, row.entry_id, row.email or "", bool(row.is_head), row.absent_from, row.absent_until,
                  row.substitute_id)


def people(session: Session, entry_ids: list[int]) -> tuple[dict[int, list[Person]], dict[int, Person]]:
    """The agents of these entries, and every person by id (the substitutes may work elsewhere)."""
    by_entry: dict[int, list[Person]] = {}
    if not entry_ids:
        return by_entry, {}
    for row in session.scalars(select(DirectoryPersonRow).where(DirectoryPersonRow.entry_id.in_(entry_ids))
                               .order_by(DirectoryPersonRow.id)):
        by_entry.setdefault(row.entry_id, []).append(_person(row))
    everyone = {p.id: p for persons in by_entry.values() for p in persons}
    wanted = {p.substitute_id for p in everyone.values() if p.substitute_id} - set(everyone)
    for _ in range(5):  # substitutes of substitutes, a few levels (see notify.MAX_SUBSTITUTES)
        if not wanted:
            break
        found = [_person(r) for r in session.scalars(select(DirectoryPersonRow).where(DirectoryPersonRow.id.in_(wanted)))]
        everyone.update((p.id, p) for p in found)
        wanted = {p.substitute_id for p in found if p.substitute_id} - set(everyone)
    return by_entry, everyone
