"""Telling the services by email (issue 12): what is told, to whom, in which words.

Pure data and rules here; the outbox and the queries live in pipeline/store/notifications.py and
pipeline/store/notification_targets.py, the sending in pipeline/notify/outbox.py.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

KINDS_FR = {"digest": "récapitulatif", "urgent": "urgent", "reminder": "rappel d'échéance",
            "escalation": "retard signalé au responsable"}
MAX_SUBSTITUTES = 5  # a chain of absent substitutes longer than this is a loop in the directory


@dataclass(frozen=True)
class Line:
    """One item as a service reads it in a mail."""

    item_id: int
    chrono: str
    subject: str
    sender: str
    received: date | None
    due: date | None
    urgent: bool
    role: str  # principal, copy
    destination_id: int = 0


@dataclass(frozen=True)
class Entry:
    """A service, a town hall or an administration, as far as its mail goes."""

    id: int
    name: str
    email: str
    head_email: str


@dataclass(frozen=True)
class Person:
    id: int
    entry_id: int
    email: str
    is_head: bool
    absent_from: date | None
    absent_until: date | None
    substitute_id: int | None

    def absent_on(self, day: date) -> bool:
        return self.absent_from is not None and self.absent_from <= day <= (self.absent_until or date.max)


@dataclass(frozen=True)
class Mail:
    """A message to put in the outbox: `key` says what it tells, so the same thing is never told twice."""

    kind: str
    key: str
    entry_id: int | None
    recipient: str
    subject: str
    body: str
    item_ids: tuple[int, ...]


def _present(person: Person, day: date, people: dict[int, Person]) -> Person | None:
    """The person, or whoever stands in for them today (following substitutes who are away too)."""
    for _ in range(MAX_SUBSTITUTES):
        if not person.absent_on(day):
            return person
        if person.substitute_id is None or person.substitute_id not in people:
            return None
        person = people[person.substitute_id]
    return None


def addresses(persons: list[Person], day: date, people: dict[int, Person]) -> list[str]:
    """Where mail for these agents goes today: each one's address, or their substitute's while away."""
    found = []
    for person in persons:
        present = _present(person, day, people)
        if present and present.email and present.email.lower() not in (a.lower() for a in found):
            found.append(present.email)
    return found


def recipients(entry: Entry, persons: list[Person], day: date, people: dict[int, Person]) -> list[str]:
    """A service's mail: its agents (or their substitutes), else the service's own address."""
    return addresses(persons, day, people) or ([entry.email] if entry.email else [])


def heads(entry: Entry, persons: list[Person], day: date, people: dict[int, Person]) -> list[str]:
    """Who hears of an overdue item: the head of service (or their substitute), else the entry's head
    address, else the service itself, so that an overdue item is never told to nobody."""
    found = addresses([p for p in persons if p.is_head], day, people)
    return found or ([entry.head_email] if entry.head_email else recipients(entry, persons, day, people))
