"""`triage status`: the queue by status, the last run, the oldest item waiting, deadlines passed."""
from __future__ import annotations

import functools
from dataclasses import asdict, dataclass, field
from datetime import date, datetime
from zoneinfo import ZoneInfo

from rich.console import Console
from rich.table import Table
from sqlalchemy import func, select

from pipeline.config import Settings
from pipeline.ops.lock import run_lock_free
from pipeline.report.data import OPEN_STATUSES, STATUS_FR, utc
from pipeline.store.database import open_database
from pipeline.store.schema import ItemRow, LetterRow, QuarantineRow, RunRow


@dataclass
class Status:
    today: date
    by_status: dict[str, int] = field(default_factory=dict)
    purged: int = 0
    last_run: dict | None = None
    oldest_waiting: dict | None = None
    overdue: int = 0
    overdue_oldest: dict | None = None
    quarantine_open: int = 0
    letters_draft: int = 0

    def as_dict(self) -> dict:
        return asdict(self)


def queue_status(settings: Settings, today: date | None = None) -> Status:
    zone = ZoneInfo(settings.timezone)
    today = today or datetime.now(zone).date()
    sessions = open_database(settings.database_url)
    status = Status(today)
    with sessions() as session:
        live = ItemRow.purged_at.is_(None)
        status.by_status = dict(session.execute(select(ItemRow.status, func.count()).where(live)
                                                .group_by(ItemRow.status).order_by(ItemRow.status)).all())
        status.purged = session.execute(select(func.count()).where(ItemRow.purged_at.is_not(None))).scalar_one()
        run = session.execute(select(RunRow).order_by(RunRow.started_at.desc(), RunRow.id.desc()).limit(1)).scalar()
        if run is not None:
            status.last_run = {"id": run.id, "started": utc(run.started_at).astimezone(zone).isoformat(timespec="minutes"),
                               "finished": utc(run.finished_at).astimezone(zone).isoformat(timespec="minutes")
                               if run.finished_at else None, "status": run.status, "exit_code": run.exit_code,
                               "host": run.host, "counts": run.counts or {}, "errors": run.errors or []}
            if run.status == "running" and run_lock_free(settings):  # killed: no run holds the lock
                status.last_run["status"] = "interrupted"
        waiting = session.execute(select(ItemRow).where(live, ItemRow.status == "to_review")
                                  .order_by(func.coalesce(ItemRow.received_at, ItemRow.created_at)).limit(1)).scalar()
        if waiting is not None:
            received = utc(waiting.received_at or waiting.created_at).astimezone(zone)
            status.oldest_waiting = {"chrono": waiting.chrono, "received": received.isoformat(timespec="minutes"),
                                     "days": (today - received.date()).days, "subject": waiting.subject}
        late = select(ItemRow).where(live, ItemRow.status.in_(OPEN_STATUSES), ItemRow.due_date < today)
        status.overdue = session.execute(select(func.count()).select_from(late.subquery())).scalar_one()
        first = session.execute(late.order_by(ItemRow.due_date).limit(1)).scalar()
        if first is not None:
            status.overdue_oldest = {"chrono": first.chrono, "due_date": first.due_date.isoformat(),
                                     "days_late": (today - first.due_date).days, "destination": first.destination}
        status.quarantine_open = session.execute(select(func.count()).where(QuarantineRow.status == "open")).scalar_one()
        status.letters_draft = session.execute(select(func.count()).where(LetterRow.status == "draft")).scalar_one()
    return status


def print_status(console: Console, status: Status) -> None:
    table = Table(title=f"File d'attente au {status.today:%d/%m/%Y}")
    table.add_column("Statut")
    table.add_column("Courriers", justify="right")
    for name, count in status.by_status.items():
        table.add_row(STATUS_FR.get(name, name), str(count))
    if status.purged:
        table.add_row("purgés (statistiques seules)", str(status.purged))
    console.print(table)
    say = functools.partial(console.print, soft_wrap=True, highlight=False)
    run = status.last_run
    say("Dernier traitement : " + (
        f"n°{run['id']} du {run['started']}, {run['status']} (code {run['exit_code']}), "
        f"{run['counts'].get('stored', 0)} enregistrés, {run['counts'].get('quarantined', 0)} en quarantaine"
        + (f" ; erreurs : {'; '.join(run['errors'])}" if run["errors"] else "") if run else "aucun"))
    oldest = status.oldest_waiting
    say("Plus ancien à vérifier : " + (
        f"{oldest['chrono']} reçu le {oldest['received']} ({oldest['days']} j)" if oldest else "aucun"))
    late = status.overdue_oldest
    say(f"Échéances dépassées : {status.overdue}" + (
        f" (le plus en retard : {late['chrono']}, {late['days_late']} j, {late['destination']})" if late else ""))
    say(f"Quarantaine à examiner : {status.quarantine_open} ; lettres en brouillon : {status.letters_draft}")
