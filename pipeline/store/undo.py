"""Undo: a clerk takes back their last decision on an item, or a whole bulk confirmation.

An undo is itself a `review_event` (action "undo", before/after swapped), so the audit trail keeps
both the mistake and its correction. It is refused when someone acted on the item since: undoing
would then overwrite a colleague's work.
"""
from __future__ import annotations

from datetime import date

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from pipeline.status import ItemStatus
from pipeline.store.distribution import distribute
from pipeline.store.review import Refused, _load, _record, now, snapshot
from pipeline.store.schema import ItemRow, ReviewBatchRow, ReviewEventRow

UNDOABLE = ("confirm", "correct", "update", "comment", "bulk_confirm")


def _value(key: str, value):
    return date.fromisoformat(value) if key == "due_date" and value else value


def undo_last(session: Session, item_id: int, user: str) -> str:
    """Put the item back as it was before this clerk's last action on it; returns its chrono."""
    event = session.execute(select(ReviewEventRow).where(ReviewEventRow.item_id == item_id)
                            .order_by(ReviewEventRow.at.desc(), ReviewEventRow.id.desc()).limit(1)).scalar()
    if event is None or event.action not in UNDOABLE:
        raise Refused("il n'y a rien à annuler sur cet élément")
    if event.user != user:
        raise Refused(f"la dernière action sur cet élément est celle de {event.user} : elle n'est pas la vôtre")
    row = _load(session, item_id, session.get(ItemRow, item_id).version)
    before = snapshot(row)
    if any(before.get(key) != value for key, value in (event.after or {}).items()):
        session.rollback()
        raise Refused("l'élément a changé depuis : annulation impossible, corrigez-le directement")
    for key, value in (event.before or {}).items():
        setattr(row, key, _value(key, value))
    _record(session, row, before, "undo", user, f"annule : {event.action}")
    distribute(session, item_id, user)  # its destinations follow it back
    return row.chrono


def undo_batch(session: Session, batch_id: int, user: str) -> tuple[int, int]:
    """Put the items of a bulk confirmation back to review; returns (undone, left alone because they changed since)."""
    batch = session.get(ReviewBatchRow, batch_id)
    if batch is None or batch.user != user:
        raise Refused("ce lot n'existe pas ou n'est pas le vôtre")
    if batch.undone_at is not None:
        raise Refused("ce lot a déjà été annulé")
    last_ids = select(ReviewEventRow.item_id, ReviewEventRow.action).where(
        ReviewEventRow.item_id.in_(batch.item_ids)).order_by(ReviewEventRow.at, ReviewEventRow.id)
    last = dict(session.execute(last_ids).all())  # the latest action per item wins in the dict
    untouched = [item_id for item_id in batch.item_ids if last.get(item_id) == "bulk_confirm"]
    table = ItemRow.__table__
    undone = []
    for start in range(0, len(untouched), 200):
        chunk = untouched[start:start + 200]
        undone += session.execute(update(table).where(table.c.id.in_(chunk), table.c.status == ItemStatus.CONFIRMED)
                                  .values(status=ItemStatus.TO_REVIEW, version=table.c.version + 1)
                                  .returning(table.c.id)).scalars().all()
    at = now()
    if undone:
        session.execute(ReviewEventRow.__table__.insert(), [
            {"item_id": item_id, "user": user, "at": at, "action": "undo",
             "before": {"status": ItemStatus.CONFIRMED.value}, "after": {"status": ItemStatus.TO_REVIEW.value},
             "comment": f"annule la confirmation en lot n° {batch_id}"} for item_id in undone])
    batch.undone_at, batch.undone_by = at, user
    session.commit()
    for item_id in undone:  # back to review: the destinations nobody was told of go
        distribute(session, item_id, user)
    return len(undone), len(batch.item_ids) - len(undone)
