"""Runs of `triage run`: started, finished with their counts, or closed as interrupted by the next one."""
from __future__ import annotations

import socket
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from pipeline.store.items import now
from pipeline.store.schema import RunRow

RUNNING, INTERRUPTED = "running", "interrupted"


@dataclass(frozen=True)
class RunInfo:
    id: int
    started_at: datetime
    finished_at: datetime | None
    status: str
    host: str
    counts: dict
    errors: list
    exit_code: int | None


def _info(row: RunRow) -> RunInfo:
    return RunInfo(row.id, row.started_at, row.finished_at, row.status, row.host, row.counts or {}, row.errors or [],
                   row.exit_code)


def start(session: Session) -> int:
    """A new run marked running (commits); its id."""
    row = RunRow(started_at=now(), host=socket.gethostname(), status=RUNNING)
    session.add(row)
    session.commit()
    return row.id


def finish(session: Session, run_id: int, *, status: str, counts: dict, errors: list[str], exit_code: int) -> None:
    row = session.get(RunRow, run_id)
    row.finished_at, row.status, row.counts, row.errors, row.exit_code = now(), status, counts, errors, exit_code
    session.commit()


def close_interrupted(session: Session) -> int:
    """Mark every run still `running` as interrupted (commits); only call it while holding the run lock."""
    closed = session.execute(update(RunRow).where(RunRow.status == RUNNING)
                             .values(status=INTERRUPTED, finished_at=now())).rowcount
    session.commit()
    return closed


def list_runs(session: Session, *, offset: int = 0, limit: int = 50) -> tuple[list[RunInfo], int]:
    """One page of runs, newest first, and how many there are."""
    total = session.execute(select(func.count()).select_from(RunRow)).scalar_one()
    rows = session.execute(select(RunRow).order_by(RunRow.started_at.desc(), RunRow.id.desc())
                           .offset(offset).limit(limit)).scalars()
    return [_info(row) for row in rows], total


def last_run(session: Session) -> RunInfo | None:
    row = session.execute(select(RunRow).order_by(RunRow.started_at.desc(), RunRow.id.desc()).limit(1)).scalar()
    return _info(row) if row else None
