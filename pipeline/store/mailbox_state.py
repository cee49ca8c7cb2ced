"""Where each IMAP folder was left: its UIDVALIDITY and the last UID whose message is stored and acted on.

Every UID up to `last_uid` is committed in the database and had its after-store action applied
on the server; anything above it is fetched again by the next run (and found to be a duplicate
if it was in fact committed). A different UIDVALIDITY means the UIDs were renumbered: the
folder is read again from the start.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone

from sqlalchemy import select
from sqlalchemy.orm import Session

from pipeline.store.schema import MailboxStateRow


@dataclass(frozen=True)
class FolderState:
    uidvalidity: int
    last_uid: int


def get_state(session: Session, mailbox: str, folder: str) -> FolderState | None:
    row = _row(session, mailbox, folder)
    return FolderState(int(row.uidvalidity), int(row.last_uid)) if row else None


def save_state(session: Session, mailbox: str, folder: str, state: FolderState) -> None:
    """Insert or update the folder's state (caller commits)."""
    row = _row(session, mailbox, folder)
    if row is None:
        row = MailboxStateRow(mailbox=mailbox, folder=folder)
        session.add(row)
    row.uidvalidity, row.last_uid, row.updated_at = state.uidvalidity, state.last_uid, datetime.now(timezone.utc)


def all_states(session: Session) -> list[MailboxStateRow]:
    return list(session.execute(select(MailboxStateRow).order_by(MailboxStateRow.mailbox,
                                                                 MailboxStateRow.folder)).scalars())


def _row(session: Session, mailbox: str, folder: str) -> MailboxStateRow | None:
    return session.execute(select(MailboxStateRow).where(MailboxStateRow.mailbox == mailbox,
                                                         MailboxStateRow.folder == folder)).scalar_one_or_none()
