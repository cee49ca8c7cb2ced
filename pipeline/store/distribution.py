"""Distribution: who receives an item, a principal destination and its copies (`item_destination`).

The principal is the directory entry the routing names (the competence's service, the commune's town
hall, the administration); the copies are the competence's default copies (directory_copy_rule) plus
those a clerk adds. Only settled items (routed, confirmed, corrected) are distributed: an item still
to review is nobody's yet. When the routing changes, the new entry becomes the principal; the old
principal row is removed if its service never saw it, else kept with its "réorienté" mark
(redirected_at) so its history stays. A "réorienté" principal is never active again by itself.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from pipeline.status import SETTLED, ItemStatus
from pipeline.store.directory import Entry, copy_rules, entry, now, routed_entry
from pipeline.store.schema import DirectoryEntryRow, ItemDestinationRow, ItemRow, ReviewEventRow

ROUTING = "triage"  # added_by of the rows the routing and the copy rules add


@dataclass(frozen=True)
class Destination:
    id: int
    item_id: int
    entry_id: int
    entry_name: str
    entry_kind: str
    role: str
    added_at: datetime
    added_by: str
    notified_at: datetime | None
    taken_at: datetime | None
    answered_at: datetime | None
    redirected_at: datetime | None
    redirect_reason: str

    @property
    def active(self) -> bool:
        return self.redirected_at is None


def destinations(session: Session, item_id: int) -> list[Destination]:
    """The item's destinations, principal first, then copies (by name)."""
    rows = session.execute(select(ItemDestinationRow, DirectoryEntryRow.name, DirectoryEntryRow.kind)
                           .join(DirectoryEntryRow, DirectoryEntryRow.id == ItemDestinationRow.entry_id)
                           .where(ItemDestinationRow.item_id == item_id)).all()
    out = [Destination(r.id, r.item_id, r.entry_id, name, kind, r.role, r.added_at, r.added_by, r.notified_at,
                       r.taken_at, r.answered_at, r.redirected_at, r.redirect_reason) for r, name, kind in rows]
    return sorted(out, key=lambda d: (d.role != "principal", d.redirected_at is not None, d.entry_name))


def _rows(session: Session, item_id: int) -> dict[int, ItemDestinationRow]:
    return {r.entry_id: r for r in session.execute(select(ItemDestinationRow)
                                                   .where(ItemDestinationRow.item_id == item_id)).scalars()}


def _untouched(row: ItemDestinationRow) -> bool:
    return row.notified_at is None and row.taken_at is None and row.answered_at is None and row.redirected_at is None


def name_from_directory(session: Session, row: ItemRow) -> Entry | None:
    """Give a routed item its directory entry's name (before its first flush: no extra version); the entry."""
    with session.no_autoflush:
        found = routed_entry(session, row.destination_kind, row.competence, row.commune, row.destination or "")
    if found is not None and row.destination_kind != "autre":
        row.destination = found.name
    return found


def on_stored(session: Session, row: ItemRow) -> None:
    """The night run stored this item (same transaction): its name from the directory, then its destinations."""
    name_from_directory(session, row)
    session.flush()
    distribute(session, row.id, ROUTING, commit=False)


def distribute(session: Session, item_id: int, user: str, *, commit: bool = True,
               principal: Entry | None = None) -> list[Destination]:
    """Create or update the item's principal destination and default copies; `principal` overrides the
    entry the routing names (a transmission chosen by a clerk). Nothing for an item not settled."""
    item = session.get(ItemRow, item_id)
    if item is None:
        return []
    if item.status not in SETTLED:  # back to review (undone, réorienté): what nobody was told of goes
        if item.status != ItemStatus.HANDLED:
            for row in _rows(session, item_id).values():
                if _untouched(row):
                    session.delete(row)
            session.commit() if commit else session.flush()
        return destinations(session, item_id)
    target = principal or routed_entry(session, item.destination_kind, item.competence, item.commune,
                                       item.destination or "")
    rows = _rows(session, item_id)
    # No entry (a town hall still to determine, a directory without it): the old principal steps down all the same.
    _set_principal(session, item_id, target.id if target else None, rows, user)
    wanted = {rule.entry_id for rule in copy_rules(session, item.competence or "")} if target else set()
    for entry_id in sorted(wanted - rows.keys()):
        rows[entry_id] = _add(session, item_id, entry_id, "copy", ROUTING)
    for entry_id, row in list(rows.items()):  # default copies of a competence the item no longer has
        if row.role == "copy" and row.added_by == ROUTING and entry_id not in wanted and _untouched(row):
            session.delete(row)
    if commit:
        session.commit()
    else:
        session.flush()
    return destinations(session, item_id)


def _add(session: Session, item_id: int, entry_id: int, role: str, user: str) -> ItemDestinationRow:
    row = ItemDestinationRow(item_id=item_id, entry_id=entry_id, role=role, added_at=now(), added_by=user)
    session.add(row)
    return row


def _set_principal(session: Session, item_id: int, entry_id: int | None, rows: dict, user: str) -> None:
    for other_id, row in rows.items():
        if other_id == entry_id or row.role != "principal" or row.redirected_at is not None:
            continue
        if _untouched(row):
            session.delete(row)
        else:  # the old service knew of it: keep the row, marked as sent elsewhere
            row.redirected_at, row.redirected_by = now(), user
            row.redirect_reason = row.redirect_reason or "réorienté par le service courrier"
    if entry_id is None:
        return
    row = rows.get(entry_id)
    if row is None:
        rows[entry_id] = _add(session, item_id, entry_id, "principal", user)
    elif row.role != "principal" or row.redirected_at is not None:
        row.role, row.redirected_at, row.redirected_by, row.redirect_reason = "principal", None, "", ""


def _event(session: Session, item_id: int, user: str, action: str, before: dict, after: dict) -> None:
    session.add(ReviewEventRow(item_id=item_id, user=user, at=now(), action=action, before=before, after=after,
                               comment=""))


def add_copy(session: Session, item_id: int, entry_id: int, user: str) -> bool:
    """A clerk sends a copy to this entry; False when it already receives the item."""
    target = entry(session, entry_id)
    if target is None or session.get(ItemRow, item_id) is None:
        raise LookupError("entrée ou élément introuvable")
    rows = _rows(session, item_id)
    if entry_id in rows and rows[entry_id].redirected_at is None:
        return False
    if entry_id in rows:  # it had sent the item back: it receives it again, as a copy
        rows[entry_id].role, rows[entry_id].redirected_at = "copy", None
    else:
        _add(session, item_id, entry_id, "copy", user)
    _event(session, item_id, user, "copy_added", {}, {"copie": target.name})
    session.commit()
    return True


def remove_copy(session: Session, item_id: int, entry_id: int, user: str) -> bool:
    """A clerk withdraws a copy (never the principal); False when there was no such copy."""
    row = _rows(session, item_id).get(entry_id)
    if row is None or row.role != "copy":
        return False
    name = session.get(DirectoryEntryRow, entry_id).name
    session.delete(row)
    _event(session, item_id, user, "copy_removed", {"copie": name}, {})
    session.commit()
    return True
