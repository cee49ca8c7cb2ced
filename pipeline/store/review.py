"""What clerks and services change on an item, each change a `review_event` (who, when, before, after).

Optimistic locking: every form carries the item version the clerk saw. A different version in
the database means someone else changed the item meanwhile: nothing is written and `Conflict`
tells who and when. The UPDATE itself is guarded by the version too (SQLAlchemy's
version_id_col), so two clerks submitting at the same instant cannot both win.
"""
from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import date, datetime, timezone

from sqlalchemy import select, update
from sqlalchemy.orm import Session, selectinload
from sqlalchemy.orm.exc import StaleDataError

from pipeline.status import SETTLED, ItemStatus
from pipeline.store import distribution
from pipeline.store.queue import QueueView, Searching, conditions
from pipeline.store.schema import ItemFileRow, ItemRow, ReviewBatchRow, ReviewEventRow

TRACKED = ("status", "competence", "commune", "urgent", "destination", "destination_kind", "due_date")
BULK_LIMIT = 1000


@dataclass(frozen=True)
class ItemFile:
    id: int
    item_id: int
    role: str  # original, body, attachment, scan, page
    name: str
    content_type: str
    sha256: str | None
    size: int | None
    page_number: int | None
    error: str | None


@dataclass(frozen=True)
class Prediction:
    kind: str  # competence, place
    rank: int
    label: str
    score: float
    evidence: str
    detail: str


@dataclass(frozen=True)
class ReviewedItem:
    """An item as the review page shows it, with its files and suggestions."""

    id: int
    chrono: str
    channel: str
    sender: str
    sender_email: str
    subject: str
    received_at: datetime | None
    created_at: datetime
    text: str
    status: str
    competence: str | None
    confidence: float | None
    commune: str | None
    commune_evidence: str
    urgent: bool
    urgent_reasons: list
    due_date: date | None
    destination_kind: str
    destination: str
    review_reasons: list
    ocr_confidence: float | None
    model_version: str | None
    version: int
    purged_at: datetime | None
    files: tuple[ItemFile, ...] = ()
    predictions: tuple[Prediction, ...] = ()


@dataclass(frozen=True)
class ReviewEvent:
    id: int
    item_id: int
    user: str
    at: datetime
    action: str
    before: dict
    after: dict
    comment: str


class Conflict(Exception):
    """The item changed since the clerk opened it; `event` says by whom (None if unknown)."""

    def __init__(self, event: ReviewEvent | None):
        super().__init__("conflit de version")
        self.event = event


class Refused(Exception):
    """The change makes no sense for this item (French reason)."""


def _plain(cls, row, **extra):
    return cls(**{f.name: getattr(row, f.name) for f in fields(cls) if f.name not in extra}, **extra)


def now() -> datetime:
    return datetime.now(timezone.utc)


def item(session: Session, item_id: int) -> ReviewedItem | None:
    row = session.execute(select(ItemRow).where(ItemRow.id == item_id).execution_options(populate_existing=True)
                          .options(selectinload(ItemRow.files), selectinload(ItemRow.predictions))).scalar()
    if row is None:
        return None
    return _plain(ReviewedItem, row, files=tuple(_plain(ItemFile, f) for f in row.files),
                  predictions=tuple(_plain(Prediction, p) for p in row.predictions))


def item_file(session: Session, item_id: int, file_id: int) -> ItemFile | None:
    """A stored file of this item (None for another item's file or a file without bytes)."""
    row = session.get(ItemFileRow, file_id)
    if row is None or row.item_id != item_id or not row.sha256:
        return None
    return _plain(ItemFile, row)


def events(session: Session, item_id: int) -> list[ReviewEvent]:
    rows = session.execute(select(ReviewEventRow).where(ReviewEventRow.item_id == item_id)
                           .order_by(ReviewEventRow.at.desc(), ReviewEventRow.id.desc())).scalars()
    return [_plain(ReviewEvent, row) for row in rows]


def _last_event(session: Session, item_id: int) -> ReviewEvent | None:
    row = session.execute(select(ReviewEventRow).where(ReviewEventRow.item_id == item_id)
                          .order_by(ReviewEventRow.at.desc(), ReviewEventRow.id.desc()).limit(1)).scalar()
    return _plain(ReviewEvent, row) if row else None


def snapshot(values) -> dict:
    """The tracked fields of an item (row or ReviewedItem), as the audit trail stores them."""
    out = {name: getattr(values, name) for name in TRACKED}
    out["due_date"] = out["due_date"].isoformat() if out["due_date"] else None
    return out


def _diff(before: dict, after: dict) -> tuple[dict, dict]:
    changed = [k for k in TRACKED if before.get(k) != after.get(k)]
    return {k: before.get(k) for k in changed}, {k: after.get(k) for k in changed}


def _load(session: Session, item_id: int, version: int) -> ItemRow:
    row = session.get(ItemRow, item_id, populate_existing=True)
    if row is None:
        raise Refused("élément introuvable")
    if row.version != version:
        session.rollback()
        raise Conflict(_last_event(session, item_id))
    return row


def current(session: Session, item_id: int, version: int) -> ReviewedItem:
    """The item at the version the clerk saw; Conflict if it changed since, Refused if it is gone."""
    _load(session, item_id, version)
    return item(session, item_id)


def _commit(session: Session, item_id: int) -> None:
    try:
        session.commit()
    except StaleDataError:  # someone committed between our read and our write
        session.rollback()
        raise Conflict(_last_event(session, item_id)) from None


def _record(session: Session, row: ItemRow, before: dict, action: str, user: str, comment: str = "") -> None:
    old, new = _diff(before, snapshot(row))
    session.add(ReviewEventRow(item_id=row.id, user=user, at=now(), action=action, before=old, after=new,
                               comment=comment[:5000]))
    _commit(session, row.id)


def record_review(session: Session, item_id: int, version: int, changes: dict, action: str, user: str,
                  comment: str = "") -> None:
    """Write a clerk's decision (new values of tracked fields) and its event, if still at `version`."""
    row = _load(session, item_id, version)
    before = snapshot(row)
    for name, value in changes.items():
        if name not in TRACKED:
            raise ValueError(f"champ non modifiable : {name}")
        setattr(row, name, value)
    _record(session, row, before, action, user, comment)


def set_handled(session: Session, item_id: int, version: int, user: str, handled: bool = True) -> str:
    """The mail team marks an item handled for its service, or reopens it (a mistaken click, an answer recorded
    too soon: the service's answer is then withdrawn, in the audit line); returns its chrono."""
    row = _load(session, item_id, version)
    before = snapshot(row)
    if handled:
        if row.status not in SETTLED:
            session.rollback()
            raise Refused("seul un élément routé, confirmé ou corrigé peut être marqué traité")
        row.status = ItemStatus.HANDLED
        comment = ""
    else:
        if row.status != ItemStatus.HANDLED:
            session.rollback()
            raise Refused("cet élément n'est pas marqué traité")
        from pipeline.store.baskets import withdraw_answers  # the basket module builds on this one
        comment = withdraw_answers(session, item_id)
        row.status = _status_before_handled(session, item_id)  # the item's version is checked at the commit
    _record(session, row, before, "handled" if handled else "reopen", user, comment)
    return row.chrono


def _status_before_handled(session: Session, item_id: int) -> str:
    """The status the item had before it became handled: by a clerk's "traité" or by the service's "répondu"
    (an answer on an item already handled changed no status: the one before counts)."""
    for previous in session.execute(select(ReviewEventRow.before).where(
            ReviewEventRow.item_id == item_id, ReviewEventRow.action.in_(("handled", "answered")))
            .order_by(ReviewEventRow.at.desc(), ReviewEventRow.id.desc())).scalars():
        status = (previous or {}).get("status")
        if status and status != ItemStatus.HANDLED:
            return status
    return ItemStatus.CONFIRMED


@dataclass(frozen=True)
class BulkCandidate:
    """An item a bulk confirmation would confirm, as its dialog lists it."""

    id: int
    chrono: str
    subject: str
    competence: str | None
    confidence: float


def bulk_candidates(session: Session, view: QueueView, how: Searching, threshold: float) -> tuple[list[BulkCandidate], int]:
    """The items to review of a view (whatever its status tab) whose confidence reaches the threshold.

    Returns (the first BULK_LIMIT of them, how many more there are).
    """
    where = conditions(view, how)
    rows = session.execute(select(ItemRow.id, ItemRow.chrono, ItemRow.subject, ItemRow.competence, ItemRow.confidence)
                           .where(*where, ItemRow.status == ItemStatus.TO_REVIEW, ItemRow.confidence >= threshold)
                           .order_by(ItemRow.id).limit(BULK_LIMIT + 1)).all()
    return [BulkCandidate(*row) for row in rows[:BULK_LIMIT]], max(0, len(rows) - BULK_LIMIT)


def bulk_confirm(session: Session, ids: list[int], threshold: float, user: str) -> tuple[int, int | None]:
    """Confirm these items (the ones the clerk was shown), each only if still to review above the threshold.

    Returns (confirmed, the batch's number for undo). An item another clerk just corrected is left alone.
    """
    ids = sorted(set(ids))[:BULK_LIMIT]
    table = ItemRow.__table__
    done = []
    for start in range(0, len(ids), 200):
        chunk = ids[start:start + 200]
        done += session.execute(update(table).where(table.c.id.in_(chunk), table.c.status == ItemStatus.TO_REVIEW,
                                                    table.c.confidence >= threshold)
                                .values(status=ItemStatus.CONFIRMED, version=table.c.version + 1)
                                .returning(table.c.id)).scalars().all()
    if not done:
        session.rollback()
        return 0, None
    at = now()
    batch = ReviewBatchRow(user=user, at=at, action="bulk_confirm", item_ids=sorted(done))
    session.add(batch)
    session.flush()
    session.execute(ReviewEventRow.__table__.insert(), [
        {"item_id": item_id, "user": user, "at": at, "action": "bulk_confirm",
         "before": {"status": ItemStatus.TO_REVIEW.value}, "after": {"status": ItemStatus.CONFIRMED.value},
         "comment": f"confiance ≥ {threshold * 100:.0f} % (lot n° {batch.id})"} for item_id in done])
    session.commit()
    for item_id in done:  # confirmed: each goes to its service, with its default copies
        distribution.distribute(session, item_id, user, commit=False)
    session.commit()
    return len(done), batch.id
