"""How many items a view of the queue holds, without counting a million rows on every page.

The whole queue per status comes from `item_count`, deltas the triggers of migration 0010_scale
insert with every item written (summed here, folded into one row per status once they pile up).
A filtered view or a search is counted for real, but never beyond CAP matches: past it the page
says "plus de 1 000" (a clerk narrows such a search; nobody counts through it, pages still
follow one another), and the cost of a page stays bounded whatever the size of the database.
"""
from __future__ import annotations

from sqlalchemy import delete, func, insert, literal_column, select
from sqlalchemy.orm import Session

from pipeline.status import ItemStatus
from pipeline.store.schema import ItemCountRow, ItemRow

CAP = 1_000
FOLD_AFTER = 200  # delta rows before they are folded into one per status


def per_status(session: Session) -> dict[ItemStatus, int]:
    """Every item per status, exact, from the trigger-kept deltas."""
    rows = session.execute(select(ItemCountRow.status, func.sum(ItemCountRow.n), func.count())
                           .group_by(ItemCountRow.status)).all()
    if sum(row[2] for row in rows) > FOLD_AFTER:
        _fold(session)
    found = {status: int(total) for status, total, _ in rows}
    return {status: found.get(status, 0) for status in ItemStatus}


def _fold(session: Session) -> None:
    """Replace the delta rows this transaction sees by their sums; deltas committed meanwhile stay."""
    bind = session.get_bind()
    with bind.begin() as connection:
        rows = connection.execute(select(ItemCountRow.id, ItemCountRow.status, ItemCountRow.n)
                                  .with_for_update(skip_locked=True) if bind.dialect.name == "postgresql"
                                  else select(ItemCountRow.id, ItemCountRow.status, ItemCountRow.n)).all()
        if not rows:
            return
        sums: dict[str, int] = {}
        for _, status, n in rows:
            sums[status] = sums.get(status, 0) + n
        connection.execute(delete(ItemCountRow).where(ItemCountRow.id.in_([r[0] for r in rows])))
        connection.execute(insert(ItemCountRow), [{"status": s, "n": n} for s, n in sums.items() if n])


def capped(session: Session, where: list) -> tuple[dict[ItemStatus, int], bool]:
    """Matches of `where` per status, exact up to CAP in all; (counts, True) when there are more."""
    if over_cap(session, where):
        return {}, True
    found = dict(session.execute(select(ItemRow.status, func.count()).where(*where).group_by(ItemRow.status)).all())
    return {status: found.get(status, 0) for status in ItemStatus}, False


def over_cap(session: Session, where: list) -> bool:
    """More than CAP items match `where` (found by reading CAP + 1 of them at most)."""
    probe = select(literal_column("1")).select_from(ItemRow).where(*where).limit(CAP + 1).subquery()
    return session.execute(select(func.count()).select_from(probe)).scalar_one() > CAP
