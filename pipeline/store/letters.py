"""Letters in the database: the settled items that may need one, the drafts, their sending state.

`LetterItem` (the facts of an item a letter needs) and `LetterInfo` cross this boundary, not rows.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timezone

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from pipeline.errors import NotFoundError
from pipeline.status import SETTLED
from pipeline.store.schema import ItemRow, LetterRow


@dataclass
class LetterInfo:
    id: int
    chrono: str
    kind: str
    channel: str
    recipient: str
    status: str
    path: str

    @classmethod
    def of(cls, row: LetterRow, chrono: str) -> "LetterInfo":
        return cls(row.id, chrono, row.kind, row.channel, row.recipient_email or row.recipient, row.status,
                   row.pdf_path)


@dataclass
class LetterItem:
    """What a letter says about its item, and what an email letter threads to or attaches."""

    id: int
    chrono: str
    status: str
    channel: str
    received_at: datetime | None
    created_at: datetime
    purged_at: datetime | None
    sender: str
    sender_email: str
    subject: str
    competence: str | None
    destination: str
    destination_kind: str
    due_date: date | None
    message_id: str | None
    sha256: str
    filename: str
    content_type: str  # of the original file ("" when unknown)


@dataclass
class EmailLetter:
    """A drafted email letter about to be sent."""

    id: int
    kind: str
    recipient_email: str
    subject: str
    body: str
    item: LetterItem


def _item(row: ItemRow) -> LetterItem:
    original = next((f for f in row.files if f.role == "original"), None)
    return LetterItem(row.id, row.chrono, row.status, row.channel, row.received_at, row.created_at, row.purged_at,
                      row.sender or "", row.sender_email or "", row.subject or "", row.competence,
                      row.destination or "", row.destination_kind or "", row.due_date, row.message_id,
                      row.sha256, row.filename or "", original.content_type if original else "")


def settled_items(database, created_since: datetime) -> list[tuple[LetterItem, set[str]]]:
    """Items whose routing is settled, created since then, each with the kinds of letter it already has."""
    with database() as session:
        rows = session.execute(select(ItemRow).where(ItemRow.status.in_(SETTLED), ItemRow.purged_at.is_(None),
                                                     ItemRow.created_at >= created_since)
                               .order_by(ItemRow.chrono)).scalars().all()
        kinds: dict[int, set[str]] = {row.id: set() for row in rows}
        for item_id, kind in session.execute(select(LetterRow.item_id, LetterRow.kind)
                                             .where(LetterRow.item_id.in_(list(kinds)))).all():
            kinds[item_id].add(kind)
        return [(_item(row), kinds[row.id]) for row in rows]


def add_draft(database, item: LetterItem, **fields) -> LetterInfo | None:
    """Store a draft; None when the same letter was drafted a moment ago by another `letters draft`."""
    with database() as session:
        row = LetterRow(item_id=item.id, status="draft", created_at=datetime.now(timezone.utc), **fields)
        session.add(row)
        try:
            session.commit()
        except IntegrityError:
            session.rollback()
            return None
        return LetterInfo.of(row, item.chrono)


def directory_entries(database, item_ids: list[int]) -> dict:
    """The directory entry each item goes to (its principal destination, else the one its routing names)."""
    from pipeline.store.directory import entry_for_item
    with database() as session:
        found = {item_id: entry_for_item(session, item_id) for item_id in item_ids}
    return {item_id: entry for item_id, entry in found.items() if entry is not None}


def letter_item(database, item_id: int) -> LetterItem:
    with database() as session:
        row = session.get(ItemRow, item_id)
        if row is None:
            raise NotFoundError(f"élément {item_id} introuvable")
        return _item(row)


def replace_draft(database, item: LetterItem, **fields) -> LetterInfo:
    """This item's letter of this kind, drafted anew (a draft of an earlier routing is overwritten, an
    acknowledgement not sent yet is cancelled: the request went elsewhere); a letter already sent is kept."""
    with database() as session:
        letters = {row.kind: row for row in session.execute(select(LetterRow).where(LetterRow.item_id == item.id)).scalars()}
        acknowledgement = letters.get("accuse_reception")
        if acknowledgement is not None and acknowledgement.status in ("draft", "failed"):
            acknowledgement.status = "cancelled"
        row = letters.get(fields["kind"])
        if row is None:
            row = LetterRow(item_id=item.id, status="draft", created_at=datetime.now(timezone.utc), **fields)
            session.add(row)
        elif row.status in ("draft", "failed", "cancelled"):
            for name, value in fields.items():
                setattr(row, name, value)
            row.status, row.error, row.created_at = "draft", "", datetime.now(timezone.utc)
        session.commit()
        return LetterInfo.of(row, item.chrono)


def list_letters(database, status: str | None = None) -> list[LetterInfo]:
    with database() as session:
        query = select(LetterRow, ItemRow.chrono).join(ItemRow, ItemRow.id == LetterRow.item_id).order_by(LetterRow.id)
        if status:
            query = query.where(LetterRow.status == status)
        return [LetterInfo.of(row, chrono) for row, chrono in session.execute(query).all()]


def mark_sent(database, ids: list[int], by: str) -> list[LetterInfo]:
    """Record that printed letters were posted; NotFoundError (nothing recorded) when a number is unknown."""
    with database() as session:
        known = set(session.execute(select(LetterRow.id).where(LetterRow.id.in_(ids))).scalars())
        if unknown := sorted(set(ids) - known):
            raise NotFoundError(f"lettre(s) inconnue(s) : {', '.join(map(str, unknown))} ; rien n'a été enregistré",
                                hint="triage letters list")
        rows = session.execute(select(LetterRow, ItemRow.chrono).join(ItemRow, ItemRow.id == LetterRow.item_id)
                               .where(LetterRow.id.in_(ids), LetterRow.status != "sent")).all()
        for row, _ in rows:
            row.status, row.sent_at, row.sent_by = "sent", datetime.now(timezone.utc), by
        session.commit()
        return [LetterInfo.of(row, chrono) for row, chrono in rows]


def email_drafts(database, ids: list[int] | None = None) -> list[EmailLetter]:
    """Email letters still to send (drafts, and failed ones to try again), or only these ids."""
    with database() as session:
        query = (select(LetterRow, ItemRow).join(ItemRow, ItemRow.id == LetterRow.item_id)
                 .where(LetterRow.channel == "email", LetterRow.status.in_(("draft", "failed"))).order_by(LetterRow.id))
        if ids:
            query = query.where(LetterRow.id.in_(ids))
        return [EmailLetter(letter.id, letter.kind, letter.recipient_email, letter.subject, letter.body, _item(item))
                for letter, item in session.execute(query).all()]


def record_outcome(database, letter_id: int, *, sent_by: str | None = None, error: str = "") -> LetterInfo:
    """Sent (by whom) or failed (why), committed at once so a crash later never resends it."""
    with database() as session:
        row = session.get(LetterRow, letter_id)
        if sent_by is not None:
            row.status, row.sent_at, row.sent_by, row.error = "sent", datetime.now(timezone.utc), sent_by, ""
        else:
            row.status, row.error = "failed", error[:1000]
        session.commit()
        chrono = session.execute(select(ItemRow.chrono).where(ItemRow.id == row.item_id)).scalar_one()
        return LetterInfo.of(row, chrono)


# --- The letters page (pipeline/web/routes/letters.py): the same rows, in the request's session ---

@dataclass
class LetterView:
    """A letter as the page shows and edits it."""

    id: int
    item_id: int
    chrono: str
    kind: str
    channel: str
    recipient: str
    recipient_email: str
    subject: str
    body: str
    status: str
    pdf_path: str
    created_at: datetime
    sent_at: datetime | None
    sent_by: str
    error: str


def _view(row: LetterRow, chrono: str) -> LetterView:
    return LetterView(row.id, row.item_id, chrono, row.kind, row.channel, row.recipient, row.recipient_email,
                      row.subject, row.body, row.status, row.pdf_path, row.created_at, row.sent_at, row.sent_by,
                      row.error)


def letters_page(session, status: str | None = None, item_id: int | None = None) -> list[LetterView]:
    query = select(LetterRow, ItemRow.chrono).join(ItemRow, ItemRow.id == LetterRow.item_id).order_by(LetterRow.id.desc())
    if status:
        query = query.where(LetterRow.status == status)
    if item_id is not None:
        query = query.where(LetterRow.item_id == item_id)
    return [_view(row, chrono) for row, chrono in session.execute(query).all()]


def letter(session, letter_id: int) -> LetterView | None:
    found = session.execute(select(LetterRow, ItemRow.chrono).join(ItemRow, ItemRow.id == LetterRow.item_id)
                            .where(LetterRow.id == letter_id)).first()
    return _view(*found) if found else None


def complete_draft(session, letter_id: int, *, recipient: str, recipient_email: str, subject: str, body: str) -> bool:
    """Save what the clerk completed on a draft; False when it is no longer a draft (sent meanwhile)."""
    row = session.get(LetterRow, letter_id)
    if row is None or row.status not in ("draft", "failed"):
        return False
    row.recipient, row.recipient_email = recipient[:500], recipient_email[:320]
    row.subject, row.body = subject[:1000], body
    row.channel = "email" if recipient_email else "courrier"
    session.commit()
    return True


def set_pdf(session, letter_id: int, path: str) -> None:
    session.get(LetterRow, letter_id).pdf_path = path
    session.commit()


def mark_posted(session, letter_id: int, by: str) -> bool:
    """A printed letter was posted; False when it was already recorded as sent."""
    row = session.get(LetterRow, letter_id)
    if row is None or row.status == "sent":
        return False
    row.status, row.sent_at, row.sent_by, row.error = "sent", datetime.now(timezone.utc), by, ""
    session.commit()
    return True
