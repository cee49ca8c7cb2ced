"""The nightly runs as the admin page lists them, newest first."""
from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from pipeline.store.schema import RunRow


@dataclass(frozen=True)
class RunSummary:
    id: int
    started_at: datetime
    finished_at: datetime | None
    status: str
    host: str
    counts: dict
    errors: list
    exit_code: int | None


def page_of_runs(session: Session, number: int, size: int) -> tuple[list[RunSummary], int]:
    """(runs of page `number`, total number of runs)."""
    total = session.execute(select(func.count()).select_from(RunRow)).scalar_one()
    rows = session.execute(select(RunRow).order_by(RunRow.started_at.desc(), RunRow.id.desc())
                           .offset((number - 1) * size).limit(size)).scalars()
    return [RunSummary(**{f.name: getattr(row, f.name) for f in fields(RunSummary)}) for row in rows], total
