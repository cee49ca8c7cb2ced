"""The directory in the database: entries, their agents (absences, substitutes), default copies, history.

Every change is a `directory_event` (who, when, before, after), kept after a deletion. Entries,
persons and copy rules cross this boundary as plain dataclasses. Seeding (store/directory_seed.py)
and the CSV file (store/directory_file.py) go through the same functions.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, fields
from datetime import date, datetime, timezone

from sqlalchemy import select
from sqlalchemy.orm import Session

from pipeline.reference import HORS
from pipeline.store.schema import (DirectoryCopyRuleRow, DirectoryEntryRow, DirectoryEventRow, DirectoryPersonRow,
                                   ItemDestinationRow, ItemRow)

ENTRY_FIELDS = ("kind", "code", "name", "email", "phone", "address", "head_name", "head_email", "engagement_days",
                "words", "active")
EDITABLE = ENTRY_FIELDS[2:]  # kind and code are the routing key: fixed once created


@dataclass(frozen=True)
class Entry:
    id: int
    kind: str
    code: str
    name: str
    email: str
    phone: str
    address: str
    head_name: str
    head_email: str
    engagement_days: int | None
    words: list
    active: bool
    updated_at: datetime
    version: int


@dataclass(frozen=True)
class Person:
    id: int
    entry_id: int
    name: str
    email: str
    username: str
    is_head: bool
    absent_from: date | None
    absent_until: date | None
    substitute_id: int | None

    def absent_on(self, day: date) -> bool:
        return bool(self.absent_from and self.absent_from <= day <= (self.absent_until or self.absent_from))


@dataclass(frozen=True)
class CopyRule:
    id: int
    competence: str
    entry_id: int


@dataclass(frozen=True)
class Event:
    id: int
    entry_id: int | None
    user: str
    at: datetime
    action: str
    before: dict
    after: dict


class Stale(Exception):
    """The entry changed since the admin opened it (or is gone)."""


def _plain(cls, row):
    return cls(**{f.name: getattr(row, f.name) for f in fields(cls)})


def now() -> datetime:
    return datetime.now(timezone.utc)


def _values(row: DirectoryEntryRow) -> dict:
    return {name: list(getattr(row, name) or []) if name == "words" else getattr(row, name) for name in ENTRY_FIELDS}


def _person_values(row: DirectoryPersonRow) -> dict:
    out = {f: getattr(row, f) for f in ("name", "email", "username", "is_head", "substitute_id")}
    out.update(absent_from=row.absent_from.isoformat() if row.absent_from else None,
               absent_until=row.absent_until.isoformat() if row.absent_until else None)
    return out


def log(session: Session, entry_id: int | None, user: str, action: str, before: dict, after: dict) -> None:
    session.add(DirectoryEventRow(entry_id=entry_id, user=user, at=now(), action=action, before=before, after=after))


# --- Reading ---

def entries(session: Session, kind: str | None = None, active_only: bool = False) -> list[Entry]:
    query = select(DirectoryEntryRow).order_by(DirectoryEntryRow.kind, DirectoryEntryRow.name)
    if kind:
        query = query.where(DirectoryEntryRow.kind == kind)
    if active_only:
        query = query.where(DirectoryEntryRow.active.is_(True))
    return [_plain(Entry, row) for row in session.execute(query).scalars()]


def entry(session: Session, entry_id: int) -> Entry | None:
    row = session.get(DirectoryEntryRow, entry_id, populate_existing=True)
    return _plain(Entry, row) if row else None


def entry_by_code(session: Session, code: str) -> Entry | None:
    row = session.execute(select(DirectoryEntryRow).where(DirectoryEntryRow.code == code)).scalar()
    return _plain(Entry, row) if row else None


def entry_by_name(session: Session, name: str, kind: str | None = None) -> Entry | None:
    query = select(DirectoryEntryRow).where(DirectoryEntryRow.name == name)
    if kind:
        query = query.where(DirectoryEntryRow.kind == kind)
    row = session.execute(query.order_by(DirectoryEntryRow.id).limit(1)).scalar()
    return _plain(Entry, row) if row else None


def persons(session: Session, entry_id: int | None = None) -> list[Person]:
    query = select(DirectoryPersonRow).order_by(DirectoryPersonRow.is_head.desc(), DirectoryPersonRow.name)
    if entry_id is not None:
        query = query.where(DirectoryPersonRow.entry_id == entry_id)
    return [_plain(Person, row) for row in session.execute(query).scalars()]


def copy_rules(session: Session, competence: str | None = None) -> list[CopyRule]:
    query = select(DirectoryCopyRuleRow).order_by(DirectoryCopyRuleRow.competence, DirectoryCopyRuleRow.id)
    if competence is not None:
        query = query.where(DirectoryCopyRuleRow.competence == competence)
    return [_plain(CopyRule, row) for row in session.execute(query).scalars()]


def events(session: Session, entry_id: int | None = None, limit: int = 200) -> list[Event]:
    query = select(DirectoryEventRow).order_by(DirectoryEventRow.at.desc(), DirectoryEventRow.id.desc()).limit(limit)
    if entry_id is not None:
        query = query.where(DirectoryEventRow.entry_id == entry_id)
    return [_plain(Event, row) for row in session.execute(query).scalars()]


def routed_entry(session: Session, destination_kind: str, competence: str | None, commune: str | None,
                 destination: str) -> Entry | None:
    """The entry a routing decision names: the competence's service, the commune's town hall, or the
    administration named after "Autre administration : " (None when the directory has none)."""
    if destination_kind == "commune":
        return entry_by_code(session, commune) if commune and commune != HORS else None
    if destination_kind == "autre":
        name = destination.split(" : ", 1)[-1]
        return entry_by_name(session, name, "administration") if name and "à déterminer" not in name else None
    return entry_by_code(session, competence) if competence else None


def entry_for_item(session: Session, item_id: int) -> Entry | None:
    """Where an item goes: its active principal destination, else the entry its routing names."""
    principal = session.execute(select(ItemDestinationRow.entry_id).where(
        ItemDestinationRow.item_id == item_id, ItemDestinationRow.role == "principal",
        ItemDestinationRow.redirected_at.is_(None)).order_by(ItemDestinationRow.id.desc()).limit(1)).scalar()
    if principal is not None:
        return entry(session, principal)
    row = session.get(ItemRow, item_id)
    if row is None:
        return None
    return routed_entry(session, row.destination_kind, row.competence, row.commune, row.destination or "")


# --- Changing ---

def create_entry(session: Session, values: dict, user: str, action: str = "created") -> Entry:
    row = DirectoryEntryRow(**{k: values[k] for k in ENTRY_FIELDS if k in values}, updated_at=now())
    session.add(row)
    session.flush()
    log(session, row.id, user, action, {}, _values(row))
    return _plain(Entry, row)


def update_entry(session: Session, entry_id: int, version: int | None, changes: dict, user: str,
                 action: str = "updated") -> Entry:
    """Change the editable fields; Stale when `version` is not the entry's (None: no check, for imports)."""
    row = session.get(DirectoryEntryRow, entry_id, populate_existing=True)
    if row is None or (version is not None and row.version != version):
        raise Stale()
    before = _values(row)
    for name, value in changes.items():
        if name not in EDITABLE:
            raise ValueError(f"champ non modifiable : {name}")
        setattr(row, name, list(value) if name == "words" else value)
    after = _values(row)
    changed = [k for k in ENTRY_FIELDS if before[k] != after[k]]
    if changed:
        row.updated_at = now()
        log(session, row.id, user, action, {k: before[k] for k in changed}, {k: after[k] for k in changed})
        session.flush()
    return _plain(Entry, row)


def delete_entry(session: Session, entry_id: int, user: str) -> None:
    row = session.get(DirectoryEntryRow, entry_id)
    if row is not None:
        log(session, None, user, "deleted", {**_values(row), "id": row.id}, {})
        session.delete(row)
        session.flush()


def add_person(session: Session, entry_id: int, user: str, **values) -> Person:
    row = DirectoryPersonRow(entry_id=entry_id, **values)
    session.add(row)
    session.flush()
    log(session, entry_id, user, "person_added", {}, _person_values(row))
    return _plain(Person, row)


def update_person(session: Session, person_id: int, user: str, **changes) -> Person | None:
    row = session.get(DirectoryPersonRow, person_id)
    if row is None:
        return None
    if changes.get("substitute_id") == person_id:
        raise ValueError("un agent ne peut pas être son propre suppléant")
    before = _person_values(row)
    for name, value in changes.items():
        setattr(row, name, value)
    after = _person_values(row)
    if before != after:
        changed = [k for k in after if before[k] != after[k]]
        log(session, row.entry_id, user, "person_updated", {"name": before["name"], **{k: before[k] for k in changed}},
            {"name": after["name"], **{k: after[k] for k in changed}})
        session.flush()
    return _plain(Person, row)


def remove_person(session: Session, person_id: int, user: str) -> None:
    row = session.get(DirectoryPersonRow, person_id)
    if row is not None:
        log(session, row.entry_id, user, "person_removed", _person_values(row), {})
        session.delete(row)
        session.flush()


def add_copy_rule(session: Session, competence: str, entry_id: int, user: str) -> bool:
    if session.execute(select(DirectoryCopyRuleRow.id).where(DirectoryCopyRuleRow.competence == competence,
                                                             DirectoryCopyRuleRow.entry_id == entry_id)).first():
        return False
    session.add(DirectoryCopyRuleRow(competence=competence, entry_id=entry_id))
    log(session, entry_id, user, "copy_rule_added", {}, {"competence": competence})
    session.flush()
    return True


def remove_copy_rule(session: Session, rule_id: int, user: str) -> None:
    row = session.get(DirectoryCopyRuleRow, rule_id)
    if row is not None:
        log(session, row.entry_id, user, "copy_rule_removed", {"competence": row.competence}, {})
        session.delete(row)
        session.flush()


def entry_values(entry: Entry) -> dict:
    return {k: v for k, v in asdict(entry).items() if k in ENTRY_FIELDS}


def directory_table(database, base):
    """The routing table `base` with the directory's names and words (pipeline.directory.routing_overlay)."""
    from pipeline.directory import routing_overlay
    with database() as session:
        rows = session.execute(select(DirectoryEntryRow).order_by(DirectoryEntryRow.id)).scalars()
        return routing_overlay(base, [_plain(Entry, row) for row in rows])
