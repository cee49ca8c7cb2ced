"""Deciding the messages: what each service must be told now, to whom, under which key.

A destination is marked told (item_destination.notified_at) in the transaction that puts its mail in
the outbox: the outbox then owns the sending and its retries, so the next run never tells it again.
An entry with no address at all is left untold, and reported, until the directory gives one.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from pipeline.config import Settings
from pipeline.notify import Entry, Line, Mail, compose, heads, recipients
from pipeline.routing_table import Delay
from pipeline.store import notification_targets as targets, notifications


@dataclass
class Planned:
    queued: dict[str, int] = field(default_factory=dict)  # kind → messages put in the outbox
    unreachable: list[str] = field(default_factory=list)  # entries with items but no address

    def add(self, kind: str, n: int = 1) -> None:
        self.queued[kind] = self.queued.get(kind, 0) + n


def _fingerprint(lines: list[Line]) -> str:
    return hashlib.sha1(",".join(str(line.destination_id) for line in lines).encode()).hexdigest()[:16]


def _queue(session, planned: Planned, kind: str, key: str, entry: Entry, to: list[str], words: tuple[str, str],
           lines: list[Line], now: datetime) -> None:
    for address in to:
        mail = Mail(kind, f"{key}:{address.lower()}", entry.id, address, words[0], words[1],
                    tuple(line.item_id for line in lines))
        if notifications.enqueue(session, mail, now):
            planned.add(kind)


def _directory(session, groups):
    return targets.people(session, [entry.id for entry, _ in groups])


def new_items(session, settings: Settings, planned: Planned, today: date, now: datetime, *, urgent: bool) -> None:
    """Digests (one per entry, every new item) or urgent mails (one per urgent item, at once)."""
    groups = targets.not_yet_told(session, ZoneInfo(settings.timezone), urgent_only=urgent)
    persons, everyone = _directory(session, groups)
    base = settings.notify.base_url
    for entry, lines in groups:
        to = recipients(entry, persons.get(entry.id, []), today, everyone)
        if not to:
            planned.unreachable.append(entry.name)
            continue
        if urgent:
            for line in lines:
                _queue(session, planned, "urgent", f"urgent:{line.destination_id}", entry, to,
                       compose.urgent(entry, line, base), [line], now)
        else:
            _queue(session, planned, "digest", f"digest:{entry.id}:{_fingerprint(lines)}", entry, to,
                   compose.digest(entry, lines, base, today), lines, now)
        targets.mark_told(session, [line.destination_id for line in lines], now)


def due_dates(session, settings: Settings, planned: Planned, today: date, now: datetime) -> None:
    """Reminders before the due date (to the service), overdue items (to its head): each item once."""
    base = settings.notify.base_url
    horizon = Delay(settings.notify.reminder_days, "working_days").after(today)
    zone = ZoneInfo(settings.timezone)
    for kind, groups in (("reminder", targets.open_principals(session, zone, due_from=today, due_until=horizon)),
                         ("escalation", targets.open_principals(session, zone, due_from=None,
                                                                due_until=today - timedelta(days=1)))):
        persons, everyone = _directory(session, groups)
        told = notifications.told_items(session, kind, [entry.id for entry, _ in groups])
        for entry, lines in groups:
            lines = [line for line in lines if line.item_id not in told.get(entry.id, set())]
            if not lines:
                continue
            who = persons.get(entry.id, [])
            to = recipients(entry, who, today, everyone) if kind == "reminder" else heads(entry, who, today, everyone)
            if not to:
                planned.unreachable.append(entry.name)
                continue
            words = (compose.reminder(entry, lines, base) if kind == "reminder"
                     else compose.escalation(entry, lines, base, today))
            _queue(session, planned, kind, f"{kind}:{entry.id}:{_fingerprint(lines)}", entry, to, words, lines, now)
