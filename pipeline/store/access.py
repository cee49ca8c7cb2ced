"""Which items an account may read: the one condition every page open to service accounts applies.

Clerks and administrators read every item. A service or town-hall account (role "service") reads
the items addressed to its directory entry, as principal or in copy, and, while a colleague whose
substitute it is is absent, the items of that colleague's entry. A destination the service sent
back to the mail team ("réorienté") is no longer in its basket.
"""
from __future__ import annotations

from datetime import date

from sqlalchemy import and_, false, or_, select
from sqlalchemy.orm import Session, aliased

from pipeline.store.schema import DirectoryPersonRow, ItemDestinationRow, ItemRow
from pipeline.store.users import Account


def is_scoped(account: Account) -> bool:
    """Whether this account sees only some items (everything else is refused to it)."""
    return account.role == "service"


def basket_entry_ids(session: Session, account: Account, today: date) -> list[int]:
    """The directory entries whose baskets this account reads today: its own, then the absent colleagues'."""
    if not is_scoped(account):
        return []
    own = [account.entry_id] if account.entry_id is not None else []
    absent, substitute = aliased(DirectoryPersonRow), aliased(DirectoryPersonRow)
    covered = session.execute(
        select(absent.entry_id).join(substitute, substitute.id == absent.substitute_id)
        .where(substitute.username != "", substitute.username == account.username,
               or_(absent.absent_from.is_not(None), absent.absent_until.is_not(None)),
               or_(absent.absent_from.is_(None), absent.absent_from <= today),
               or_(absent.absent_until.is_(None), absent.absent_until >= today))
        .distinct()).scalars().all()
    return own + sorted(entry for entry in covered if entry not in own)


def destinations_of(entry_ids: list[int]):
    """The live destination rows of these entries (not sent back to the mail team)."""
    if not entry_ids:
        return false()
    return and_(ItemDestinationRow.entry_id.in_(entry_ids), ItemDestinationRow.redirected_at.is_(None))


def visible_items(session: Session, account: Account, today: date):
    """A condition on ItemRow: the items this account may read (None: all of them)."""
    if not is_scoped(account):
        return None
    entries = basket_entry_ids(session, account, today)
    return ItemRow.id.in_(select(ItemDestinationRow.item_id).where(destinations_of(entries)))


def can_read(session: Session, account: Account, item_id: int, today: date) -> bool:
    """Whether this account may open this item, its text and its files."""
    condition = visible_items(session, account, today)
    if condition is None:
        return True
    return session.execute(select(ItemRow.id).where(ItemRow.id == item_id, condition)).first() is not None
