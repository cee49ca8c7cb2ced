"""Rows for the notification and response-time tests, inserted directly: directory entries, agents,
items and their destinations (until the directory's own seeding is merged)."""
from __future__ import annotations

import hashlib
from datetime import date, datetime, timezone

from pipeline.store.schema import DirectoryEntryRow, DirectoryPersonRow, ItemDestinationRow, ItemRow

NOON = datetime(2026, 12, 1, 12, 0, tzinfo=timezone.utc)


def entry(session, code: str, name: str, *, kind: str = "service", email: str = "", head_email: str = "",
          engagement_days: int | None = None) -> int:
    row = DirectoryEntryRow(kind=kind, code=code, name=name, email=email, head_email=head_email,
                            engagement_days=engagement_days, words=[], active=True, updated_at=NOON)
    session.add(row)
    session.flush()
    return row.id


def person(session, entry_id: int, name: str, email: str, *, is_head: bool = False, absent: tuple | None = None,
           substitute_id: int | None = None) -> int:
    row = DirectoryPersonRow(entry_id=entry_id, name=name, email=email, username="", is_head=is_head,
                             absent_from=absent[0] if absent else None, absent_until=absent[1] if absent else None,
                             substitute_id=substitute_id)
    session.add(row)
    session.flush()
    return row.id


def item(session, n: int, *, received: datetime = NOON, status: str = "routed", urgent: bool = False,
         due: date | None = None, subject: str | None = None, followup_of: int | None = None) -> int:
    row = ItemRow(chrono=f"A-2026-{n:06d}", channel="email", sha256=hashlib.sha256(str(n).encode()).hexdigest(),
                  filename=f"{n}.eml", sender=f"Usager {n}", subject=subject or f"Demande {n}", received_at=received,
                  created_at=received, status=status, urgent=urgent, urgent_reasons=[], due_date=due,
                  review_reasons=[], followup_of=followup_of)
    session.add(row)
    session.flush()
    return row.id


def destination(session, item_id: int, entry_id: int, *, role: str = "principal", added: datetime = NOON,
                **fields) -> int:
    row = ItemDestinationRow(item_id=item_id, entry_id=entry_id, role=role, added_at=added, added_by="triage",
                             **fields)
    session.add(row)
    session.flush()
    return row.id
