"""`triage notify`, the mail team's button and the end of `triage run`: decide, then send the outbox.

Each message is committed as sent or failed on its own, so a server that falls over halfway loses
nothing: what failed is retried by the next run (pipeline/store/notifications.py says when).
"""
from __future__ import annotations

import logging
import smtplib
from dataclasses import dataclass, field
from datetime import datetime, time, timezone
from email.message import EmailMessage
from zoneinfo import ZoneInfo

from pipeline import smtp
from pipeline.config import Settings
from pipeline.errors import SendError
from pipeline.notify import compose, plan
from pipeline.store import notifications
from pipeline.store.notifications import Outgoing

log = logging.getLogger("triage.notify")


@dataclass
class Outcome:
    planned: plan.Planned = field(default_factory=plan.Planned)
    digest: bool = False  # whether the digests were part of this run
    sent: int = 0
    failed_now: list[Outgoing] = field(default_factory=list)  # failed during this run
    failing: list[Outgoing] = field(default_factory=list)  # every message not sent, after this run


def _message(mail: Outgoing) -> EmailMessage:
    message = EmailMessage()
    message["To"] = mail.recipient
    message["Subject"] = mail.subject
    message["Auto-Submitted"] = "auto-generated"  # no out-of-office replies back to the sender address
    message.set_content(mail.body)
    message.add_alternative(compose.as_html(mail.body), subtype="html")
    return message


def digest_due(settings: Settings, sessions, now: datetime) -> bool:
    """From the configured hour, once a day: no digest yet since today's hour."""
    hour = settings.notify.digest_hour
    if hour is None:
        return False
    zone = ZoneInfo(settings.timezone)
    local = now.astimezone(zone)
    start = datetime.combine(local.date(), time(hour), zone)
    if local < start:
        return False
    with sessions() as session:
        last = notifications.last_created(session, "digest")
    return last is None or last < start


def send_outbox(settings: Settings, sessions, now: datetime, outcome: Outcome) -> None:
    with sessions() as session:
        due = notifications.sendable(session, now, settings.notify.max_attempts, settings.notify.backoff_minutes)
    for mail in due:
        error, server_gone = None, False
        try:
            smtp.send(settings.smtp, _message(mail))
        except SendError as exc:
            error = str(exc)
            # The server answered about this message (a refused recipient…), or was not there at all: then
            # every other message would wait for the same timeout; they stay pending for the next run.
            server_gone = not isinstance(exc.__cause__, (smtplib.SMTPResponseException, smtplib.SMTPRecipientsRefused))
            log.warning("notification %s to %s failed: %s", mail.id, mail.recipient, error)
        with sessions() as session:
            notifications.record_attempt(session, mail.id, now, error)
            session.commit()
        if error is None:
            outcome.sent += 1
            continue
        outcome.failed_now.append(mail)
        if server_gone:
            break


def notify(settings: Settings, sessions, *, digest: bool | None = None, urgent: bool = True,
           due_dates: bool = True, now: datetime | None = None) -> Outcome:
    """Decide what the services must be told and send it, with the failed messages of earlier runs.
    `digest`: True sends the digests now (the button), None from the configured hour (cron)."""
    smtp.check_configured(settings.smtp)  # nothing is marked told when nothing could be sent
    now = now or datetime.now(timezone.utc)
    today = now.astimezone(ZoneInfo(settings.timezone)).date()
    outcome = Outcome(digest=digest if digest is not None else digest_due(settings, sessions, now))
    with sessions() as session:
        if urgent:
            plan.new_items(session, settings, outcome.planned, today, now, urgent=True)
        if outcome.digest:
            plan.new_items(session, settings, outcome.planned, today, now, urgent=False)
        if due_dates:
            plan.due_dates(session, settings, outcome.planned, today, now)
        session.commit()
    send_outbox(settings, sessions, now, outcome)
    with sessions() as session:
        outcome.failing = notifications.failed(session)
    return outcome


def after_run(settings: Settings, sessions, *, dry_run: bool) -> None:
    """The end of `triage run`: the urgent items at once. Never the run's failure: logged, retried later."""
    if dry_run or not settings.smtp.host:
        return
    try:
        outcome = notify(settings, sessions, digest=False, due_dates=False)
        log.info("urgent items: %s queued, %s sent, %s failed", outcome.planned.queued.get("urgent", 0),
                 outcome.sent, len(outcome.failed_now))
    except Exception:  # noqa: BLE001 - the night's routing is done; the mail waits for `triage notify`
        log.exception("urgent notifications failed after the run")
