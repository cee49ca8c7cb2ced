"""Claims: the item a clerk has open is theirs for a few minutes, so that two clerks never review the same one.

Opening an item claims it (or renews the claim); a decision releases it; an abandoned claim simply
expires. Taking a claim is one atomic statement (an INSERT on the item's primary key, or an UPDATE
that only succeeds when the claim is ours or expired), so two clerks racing for the same item
cannot both win, on SQLite as on PostgreSQL.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from sqlalchemy import delete, exists, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from pipeline.store.schema import ItemClaimRow, ItemRow

CLAIM_MINUTES = 5


@dataclass(frozen=True)
class Claim:
    item_id: int
    user: str
    claimed_at: datetime
    expires_at: datetime


def now() -> datetime:
    return datetime.now(timezone.utc)


def _plain(row: ItemClaimRow) -> Claim:
    return Claim(row.item_id, row.user, _aware(row.claimed_at), _aware(row.expires_at))


def _aware(moment: datetime) -> datetime:
    return moment.replace(tzinfo=timezone.utc) if moment.tzinfo is None else moment


def take(session: Session, item_id: int, user: str, minutes: int = CLAIM_MINUTES) -> Claim | None:
    """Claim the item for `user`; returns the other clerk's live claim instead when there is one.

    Commits: a claim is only worth something once the others can see it.
    """
    moment = now()
    until = moment + timedelta(minutes=minutes)
    table = ItemClaimRow.__table__
    won = session.execute(update(table).where(table.c.item_id == item_id,
                                              or_(table.c.user == user, table.c.expires_at <= moment))
                          .values(user=user, claimed_at=moment, expires_at=until)).rowcount
    if not won:
        try:
            session.execute(table.insert().values(item_id=item_id, user=user, claimed_at=moment, expires_at=until))
            won = 1
        except IntegrityError:  # someone inserted it between our UPDATE and our INSERT
            session.rollback()
            won = 0
    if won:
        session.commit()
        return None
    session.rollback()
    return holder(session, item_id, user)


def holder(session: Session, item_id: int, user: str) -> Claim | None:
    """Another clerk's live claim on this item, if any."""
    row = session.execute(select(ItemClaimRow).where(ItemClaimRow.item_id == item_id,
                                                     ItemClaimRow.user != user,
                                                     ItemClaimRow.expires_at > now())).scalar()
    return _plain(row) if row else None


def release(session: Session, item_id: int, user: str) -> None:
    """Give the item back (after a decision, or when the clerk leaves it); commits."""
    session.execute(delete(ItemClaimRow).where(ItemClaimRow.item_id == item_id, ItemClaimRow.user == user))
    session.commit()


def held_by_others(session: Session, item_ids: list[int], user: str) -> dict[int, Claim]:
    """The live claims of other clerks among these items (the queue shows "en cours chez …")."""
    if not item_ids:
        return {}
    rows = session.execute(select(ItemClaimRow).where(ItemClaimRow.item_id.in_(item_ids),
                                                      ItemClaimRow.user != user,
                                                      ItemClaimRow.expires_at > now())).scalars()
    return {row.item_id: _plain(row) for row in rows}


def free_for(user: str):
    """A WHERE clause on items: not claimed by another clerk right now (for the claim-aware "next")."""
    return ~exists().where(ItemClaimRow.item_id == ItemRow.id, ItemClaimRow.user != user,
                           ItemClaimRow.expires_at > now())
