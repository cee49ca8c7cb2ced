"""Registration numbers ("numéro chrono"): a counter per year, unique even with two runs at once.

The counter row is incremented with a single UPDATE inside the item's transaction: PostgreSQL
locks the row and SQLite the database until commit, so two runs never get the same number.
"""
from __future__ import annotations

from sqlalchemy import select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from pipeline.store.schema import ChronoCounterRow


def next_chrono(session: Session, pattern: str, year: int) -> str:
    insert = pg_insert if session.bind.dialect.name == "postgresql" else sqlite_insert
    session.execute(insert(ChronoCounterRow).values(year=year, value=0).on_conflict_do_nothing())
    number = session.execute(update(ChronoCounterRow).where(ChronoCounterRow.year == year)
                             .values(value=ChronoCounterRow.value + 1)
                             .returning(ChronoCounterRow.value)).scalar_one()
    return pattern.format(year=year, number=number)


def current_value(session: Session, year: int) -> int:
    return session.execute(select(ChronoCounterRow.value).where(ChronoCounterRow.year == year)).scalar() or 0
