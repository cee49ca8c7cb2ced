"""The outbox of the services' emails: a message is put here (in the transaction that decides it), then
sent, retried after a growing wait while it fails, and given up after the configured attempts.

`key` is unique: two runs deciding the same message (the button pressed during the cron run) insert it once.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from pipeline.notify import Mail
from pipeline.store.schema import DirectoryEntryRow, NotificationRow


@dataclass(frozen=True)
class Outgoing:
    id: int
    kind: str
    entry_id: int | None
    entry_name: str
    recipient: str
    subject: str
    body: str
    item_ids: tuple[int, ...]
    status: str
    attempts: int
    last_error: str
    created_at: datetime
    sent_at: datetime | None


def enqueue(session: Session, mail: Mail, now: datetime) -> bool:
    """Put a message in the outbox; False when a message with this key is already there."""
    if session.scalar(select(NotificationRow.id).where(NotificationRow.key == mail.key)) is not None:
        return False
    try:
        with session.begin_nested():
            session.add(NotificationRow(kind=mail.kind, key=mail.key[:300], entry_id=mail.entry_id,
                                        recipient=mail.recipient, subject=mail.subject[:1000], body=mail.body,
                                        item_ids=list(mail.item_ids), status="pending", attempts=0,
                                        last_error="", created_at=now))
    except IntegrityError:  # another process inserted the same key since our look
        return False
    return True


def _outgoing(row: NotificationRow, entry_name: str | None) -> Outgoing:
    return Outgoing(row.id, row.kind, row.entry_id, entry_name or "", row.recipient, row.subject, row.body,
                    tuple(row.item_ids or ()), row.status, row.attempts, row.last_error, row.created_at, row.sent_at)


def _query():
    return (select(NotificationRow, DirectoryEntryRow.name)
            .outerjoin(DirectoryEntryRow, DirectoryEntryRow.id == NotificationRow.entry_id))


def sendable(session: Session, now: datetime, max_attempts: int, backoff_minutes: float) -> list[Outgoing]:
    """Messages to send now: the new ones, and the failed ones whose wait is over (it doubles after each
    failure, counted from the message's creation: 1, 3, 7… times the backoff)."""
    rows = session.execute(_query().where(or_(NotificationRow.status == "pending",
                                              (NotificationRow.status == "failed")
                                              & (NotificationRow.attempts < max_attempts)))
                           .order_by(NotificationRow.id)).all()
    return [_outgoing(row, name) for row, name in rows
            if row.status == "pending"
            or now >= row.created_at + timedelta(minutes=backoff_minutes * (2 ** row.attempts - 1))]


def record_attempt(session: Session, notification_id: int, now: datetime, error: str | None) -> None:
    row = session.get(NotificationRow, notification_id)
    row.attempts += 1
    if error is None:
        row.status, row.sent_at, row.last_error = "sent", now, ""
    else:
        row.status, row.last_error = "failed", error[:1000]


def failed(session: Session, limit: int = 50) -> list[Outgoing]:
    """Messages not sent (still retried or given up), the most recent first: for the debrief and the CLI."""
    rows = session.execute(_query().where(NotificationRow.status == "failed")
                           .order_by(NotificationRow.created_at.desc(), NotificationRow.id.desc()).limit(limit)).all()
    return [_outgoing(row, name) for row, name in rows]


def told_items(session: Session, kind: str, entry_ids: list[int]) -> dict[int, set[int]]:
    """The items each entry was already told about in messages of this kind."""
    told: dict[int, set[int]] = {}
    if not entry_ids:
        return told
    rows = session.execute(select(NotificationRow.entry_id, NotificationRow.item_ids)
                           .where(NotificationRow.kind == kind, NotificationRow.entry_id.in_(entry_ids))).all()
    for entry_id, item_ids in rows:
        told.setdefault(entry_id, set()).update(item_ids or ())
    return told


def last_created(session: Session, kind: str) -> datetime | None:
    return session.scalar(select(func.max(NotificationRow.created_at)).where(NotificationRow.kind == kind))


def counts(session: Session) -> dict[str, int]:
    """Messages per status (pending, sent, failed)."""
    return dict(session.execute(select(NotificationRow.status, func.count()).group_by(NotificationRow.status)).all())


def given_up(session: Session, max_attempts: int) -> int:
    """Failed messages no pass will retry any more (they wait for someone to fix the address or the server)."""
    return session.scalar(select(func.count()).select_from(NotificationRow).where(
        NotificationRow.status == "failed", NotificationRow.attempts >= max_attempts))
