"""`triage status`: the queue by status, the last run, the oldest item waiting, deadlines passed."""
from __future__ import annotations

import functools
from dataclasses import asdict
from datetime import date, datetime
from zoneinfo import ZoneInfo

from rich.console import Console
from rich.table import Table

from pipeline.config import Settings
from pipeline.store.run_lock import run_lock_free
from pipeline.status import label
from pipeline.notify import KINDS_FR
from pipeline.store import notifications, statistics
from pipeline.store.statistics import QueueStatus

FAILURES_SHOWN = 5
RUN_STATUS_FR = {"running": "en cours", "ok": "réussi", "partial": "partiel (quarantaine)", "failed": "en échec",
                 "interrupted": "interrompu"}


def queue_status(settings: Settings, database, today: date | None = None) -> QueueStatus:
    zone = ZoneInfo(settings.timezone)
    status = statistics.queue_status(database, zone, today or datetime.now(zone).date())
    run = status.last_run
    if run and run["status"] == "running" and run_lock_free(settings):  # killed: no run holds the lock
        run["status"] = "interrupted"
    _outbox(status, database, settings.notify.max_attempts)
    return status


def _outbox(status: QueueStatus, database, max_attempts: int) -> None:
    """The services' emails: a mail server down shows here before a service calls about silence."""
    with database() as session:
        status.outbox = notifications.counts(session)
        status.outbox_given_up, status.max_attempts = notifications.given_up(session, max_attempts), max_attempts
        status.outbox_failed = [
            {"kind": m.kind, "entry": m.entry_name, "recipient": m.recipient, "subject": m.subject,
             "attempts": m.attempts, "given_up": m.attempts >= max_attempts, "last_error": m.last_error,
             "created": m.created_at.isoformat(timespec="minutes")}
            for m in notifications.failed(session, limit=FAILURES_SHOWN)]


def status_dict(status: QueueStatus) -> dict:
    return asdict(status)


def _french(iso: str, with_time: bool = True) -> str:
    """An ISO date or instant of the JSON output, as a clerk reads it (12/03/2025 à 09:47)."""
    moment = datetime.fromisoformat(iso)
    return moment.strftime("%d/%m/%Y à %H:%M") if with_time and "T" in iso else moment.strftime("%d/%m/%Y")


def print_status(console: Console, status: QueueStatus) -> None:
    table = Table(title=f"File d'attente au {status.today:%d/%m/%Y}")
    table.add_column("Statut")
    table.add_column("Courriers", justify="right")
    for name, count in status.by_status.items():
        table.add_row(label(name), str(count))
    if status.purged:
        table.add_row("purgés (statistiques seules)", str(status.purged))
    console.print(table)
    say = functools.partial(console.print, soft_wrap=True, highlight=False)
    run = status.last_run
    say("Dernier traitement : " + (
        f"n°{run['id']} du {_french(run['started'])}, {RUN_STATUS_FR.get(run['status'], run['status'])} (code {run['exit_code']}), "
        f"{run['counts'].get('stored', 0)} enregistrés, {run['counts'].get('quarantined', 0)} en quarantaine"
        + (f" ; erreurs : {'; '.join(run['errors'])}" if run["errors"] else "") if run else "aucun"))
    oldest = status.oldest_waiting
    say("Plus ancien à vérifier : " + (
        f"{oldest['chrono']} reçu le {_french(oldest['received'])} ({oldest['days']} j)" if oldest else "aucun"))
    late = status.overdue_oldest
    say(f"Échéances dépassées : {status.overdue}" + (
        f" (le plus en retard : {late['chrono']}, échéance du {_french(late['due_date'], False)}, "
        f"{late['days_late']} j, {late['destination']})" if late else ""))
    say(f"Quarantaine à examiner : {status.quarantine_open} ; lettres en brouillon : {status.letters_draft}")
    _print_outbox(say, status)


def _print_outbox(say, status: QueueStatus) -> None:
    box = status.outbox
    say(f"Messages aux services : {box.get('pending', 0)} en attente, {box.get('failed', 0)} en échec"
        + (f" (dont {status.outbox_given_up} abandonné(s) après {status.max_attempts} essais)"
           if status.outbox_given_up else "")
        + f", {box.get('sent', 0)} envoyé(s)")
    for m in status.outbox_failed:
        say(f"  - {KINDS_FR.get(m['kind'], m['kind'])} pour {m['entry'] or m['recipient']} <{m['recipient']}> : "
            f"{m['attempts']} essai(s){' (abandonné)' if m['given_up'] else ''}, dernière erreur : "
            f"{m['last_error'] or '—'}")
    if box.get("failed", 0) > len(status.outbox_failed):
        say(f"  … et {box['failed'] - len(status.outbox_failed)} autre(s) : le débrief les liste, "
            "« triage notify » les retente")
