"""Figures read from the database: the morning debrief of one day, the queue by status
(`triage status`), the export's query. Plain dataclasses leave this module, never ORM rows.

"The day" is a calendar day in the configured time zone; an item belongs to it by its received
date. Backlog and deadlines are taken as they stand the next morning, when the team meets.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from pipeline.config import Settings
from pipeline.reference import load_reference
from pipeline.status import OPEN, ItemStatus, label
from pipeline.store import response_times
from pipeline.store.schema import ItemRow, LetterRow, QuarantineRow, ReviewEventRow, RunRow

CHANNELS_FR = {"email": "Courriel", "courrier": "Courrier papier"}
AGE_BUCKETS = ("reçus la veille", "1 à 2 jours", "3 à 7 jours", "plus de 7 jours")
DEBRIEF = timedelta(hours=9)  # runs and quarantine count from 9 a.m. on the day to 9 a.m. the next
TIMES_DAYS = 30  # the response times cover the month ending on the report's day, as on the debrief page
DUE_BUCKETS = ("en retard", "aujourd'hui ou demain", "dans 2 à {near} jours", "plus tard")


@dataclass
class Line:
    """One item in a table of the report."""

    chrono: str
    received: str
    channel: str
    sender: str
    subject: str
    competence: str
    commune: str
    destination: str
    status: str
    due: str
    days_late: int = 0


@dataclass
class Correction:
    chrono: str
    user: str
    field: str  # compétence, commune
    before: str
    after: str


@dataclass
class ReportData:
    day: date
    as_of: date
    received: int = 0
    by_channel: Counter = field(default_factory=Counter)
    by_channel_review: Counter = field(default_factory=Counter)  # sent to a clerk
    by_competence: Counter = field(default_factory=Counter)
    by_commune: Counter = field(default_factory=Counter)
    auto_routed: int = 0
    urgent: list[Line] = field(default_factory=list)
    to_review: int = 0
    backlog_age: Counter = field(default_factory=Counter)
    oldest_waiting: Line | None = None
    due: Counter = field(default_factory=Counter)
    overdue: list[Line] = field(default_factory=list)
    near_due: list[Line] = field(default_factory=list)
    confirmed: int = 0
    corrections: list[Correction] = field(default_factory=list)
    corrected_by_competence: Counter = field(default_factory=Counter)
    quarantined: list[dict] = field(default_factory=list)
    quarantine_open: int = 0
    runs: list[dict] = field(default_factory=list)
    near_days: int = 5
    times_start: date | None = None
    response_times: list[response_times.EntryTimes] = field(default_factory=list)  # per service and town hall

    @property
    def due_labels(self) -> list[str]:
        return [label.format(near=self.near_days) for label in DUE_BUCKETS]


def utc(moment: datetime | None) -> datetime | None:
    """Database datetimes as aware UTC (SQLite hands them back naive)."""
    if moment is None:
        return None
    return moment.replace(tzinfo=timezone.utc) if moment.tzinfo is None else moment.astimezone(timezone.utc)


def day_window(day: date, zone: ZoneInfo) -> tuple[datetime, datetime]:
    start = datetime.combine(day, time(0), zone)
    return start.astimezone(timezone.utc), datetime.combine(day + timedelta(days=1), time(0), zone).astimezone(timezone.utc)


def debrief(database, settings: Settings, day: date) -> ReportData:
    """Everything the morning report shows for `day`."""
    with database() as session:
        return collect(session, settings, day)


def collect(session: Session, settings: Settings, day: date) -> ReportData:
    """Everything the report shows for `day`, in a session the caller holds (the web page's)."""
    zone = ZoneInfo(settings.timezone)
    names = _Names(settings)
    data = ReportData(day=day, as_of=day + timedelta(days=1), near_days=settings.report.near_due_days)
    start, end = day_window(day, zone)
    _received(session, data, names, start, end, zone)
    _backlog(session, data, names, zone)
    _deadlines(session, data, names, zone)
    _reviews(session, data, names, start, end)
    since, until = start + DEBRIEF, end + DEBRIEF  # from one debrief to the next: the night's run
    _quarantine(session, data, since, until, zone)
    _runs(session, data, since, until, zone)
    data.times_start = day - timedelta(days=TIMES_DAYS - 1)
    data.response_times = response_times.per_entry(session, data.times_start, day, zone,
                                                   settings.notify.default_engagement_days, today=data.as_of)
    return data


class _Names:
    def __init__(self, settings: Settings):
        self.reference = load_reference(settings.reference_dir)
        self.competences = {c.code: c.label for c in self.reference.competences}

    def competence(self, code: str | None) -> str:
        return self.competences.get(code or "", code or "Non classé")

    def commune(self, insee: str | None) -> str:
        return self.reference.commune_name(insee)

    def line(self, row: ItemRow, zone: ZoneInfo, as_of: date | None = None) -> Line:
        received = utc(row.received_at or row.created_at)
        return Line(chrono=row.chrono, received=received.astimezone(zone).strftime("%d/%m/%Y %H:%M"),
                    channel=CHANNELS_FR.get(row.channel, row.channel), sender=row.sender or "—",
                    subject=row.subject or "—", competence=self.competence(row.competence),
                    commune=self.commune(row.commune), destination=row.destination or "—",
                    status=label(row.status),
                    due=row.due_date.strftime("%d/%m/%Y") if row.due_date else "—",
                    days_late=(as_of - row.due_date).days if as_of and row.due_date else 0)


def _in_window(row: ItemRow, start: datetime, end: datetime) -> bool:
    return start <= utc(row.received_at or row.created_at) < end


def _received(session: Session, data: ReportData, names: _Names, start: datetime, end: datetime,
              zone: ZoneInfo) -> None:
    # A day of margin on each side in SQL, the exact bounds in Python (time zones differ by backend).
    rows = session.execute(select(ItemRow).where(
        func.coalesce(ItemRow.received_at, ItemRow.created_at) >= start - timedelta(days=1),
        func.coalesce(ItemRow.received_at, ItemRow.created_at) < end + timedelta(days=1))
        .order_by(ItemRow.chrono)).scalars()
    for row in rows:
        if not _in_window(row, start, end):
            continue
        data.received += 1
        channel = CHANNELS_FR.get(row.channel, row.channel)
        data.by_channel[channel] += 1
        if row.review_reasons:
            data.by_channel_review[channel] += 1
        else:
            data.auto_routed += 1
        data.by_competence[names.competence(row.competence)] += 1
        data.by_commune[names.commune(row.commune)] += 1
        if row.urgent:
            data.urgent.append(names.line(row, zone))


def _open_items():
    return select(ItemRow).where(ItemRow.status.in_(OPEN), ItemRow.purged_at.is_(None))


def _backlog(session: Session, data: ReportData, names: _Names, zone: ZoneInfo) -> None:
    rows = session.execute(_open_items().where(ItemRow.status == ItemStatus.TO_REVIEW)
                           .order_by(func.coalesce(ItemRow.received_at, ItemRow.created_at))).scalars().all()
    data.to_review = len(rows)
    for row in rows:
        age = (data.as_of - utc(row.received_at or row.created_at).astimezone(zone).date()).days
        bucket = 0 if age <= 1 else 1 if age <= 2 else 2 if age <= 7 else 3
        data.backlog_age[AGE_BUCKETS[bucket]] += 1
    if rows:
        data.oldest_waiting = names.line(rows[0], zone)


def _deadlines(session: Session, data: ReportData, names: _Names, zone: ZoneInfo) -> None:
    rows = session.execute(_open_items().where(ItemRow.due_date.is_not(None))
                           .order_by(ItemRow.due_date, ItemRow.chrono)).scalars()
    labels = data.due_labels
    for row in rows:
        left = (row.due_date - data.as_of).days
        if left < 0:
            data.due[labels[0]] += 1
            data.overdue.append(names.line(row, zone, data.as_of))
        elif left <= 1:
            data.due[labels[1]] += 1
            data.near_due.append(names.line(row, zone, data.as_of))
        elif left <= data.near_days:
            data.due[labels[2]] += 1
            data.near_due.append(names.line(row, zone, data.as_of))
        else:
            data.due[labels[3]] += 1


def _reviews(session: Session, data: ReportData, names: _Names, start: datetime, end: datetime) -> None:
    """What the clerks did that day: confirmations, and every suggestion they changed."""
    events = session.execute(
        select(ReviewEventRow, ItemRow.chrono).join(ItemRow, ItemRow.id == ReviewEventRow.item_id)
        .where(ReviewEventRow.at >= start - timedelta(days=1), ReviewEventRow.at < end + timedelta(days=1))
        .order_by(ReviewEventRow.at)).all()
    for event, chrono in events:
        if not start <= utc(event.at) < end:
            continue
        before, after = event.before or {}, event.after or {}
        if event.action == "redirected":  # sent back by the service (store/baskets.py): a routing error
            service, _, reason = (event.comment or "").partition(" : ")
            data.corrections.append(Correction(chrono, event.user, "orientation", service, f"réorienté : {reason}"))
            continue
        changed = False
        for key, field_name, show in (("competence", "compétence", names.competence),
                                      ("commune", "commune", names.commune)):
            if key in after and after.get(key) != before.get(key):
                changed = True
                data.corrections.append(Correction(chrono, event.user, field_name, show(before.get(key)),
                                                   show(after.get(key))))
                if key == "competence":
                    data.corrected_by_competence[names.competence(before.get(key))] += 1
        if not changed and (after.get("status") == ItemStatus.CONFIRMED or event.action.startswith("confirm")):
            data.confirmed += 1


def _quarantine(session: Session, data: ReportData, start: datetime, end: datetime, zone: ZoneInfo) -> None:
    rows = session.execute(select(QuarantineRow).where(QuarantineRow.created_at >= start - timedelta(days=1),
                                                       QuarantineRow.created_at < end + timedelta(days=1))
                           .order_by(QuarantineRow.id)).scalars()
    data.quarantined = [{"file": row.filename or "—", "source": row.source, "reason": row.reason,
                         "at": utc(row.created_at).astimezone(zone).strftime("%d/%m %H:%M"), "status": row.status}
                        for row in rows if start <= utc(row.created_at) < end]
    data.quarantine_open = session.execute(select(func.count()).select_from(QuarantineRow)
                                           .where(QuarantineRow.status == "open")).scalar_one()


def _runs(session: Session, data: ReportData, start: datetime, end: datetime, zone: ZoneInfo) -> None:
    """Runs started from 9 a.m. that day to 9 a.m. the next (the night's run)."""
    rows = session.execute(select(RunRow).where(RunRow.started_at >= start - timedelta(days=1),
                                                RunRow.started_at < end + timedelta(days=1))
                           .order_by(RunRow.started_at)).scalars()
    for row in rows:
        started, finished = utc(row.started_at), utc(row.finished_at)
        if not start <= started < end:
            continue
        data.runs.append({"id": row.id, "host": row.host, "status": row.status, "exit_code": row.exit_code,
                          "started": started.astimezone(zone).strftime("%d/%m %H:%M"),
                          "duration": _duration((finished - started).total_seconds()) if finished else "—",
                          "counts": row.counts or {}, "errors": row.errors or []})


def _duration(seconds: float) -> str:
    return f"{seconds:.0f} s" if seconds < 120 else f"{seconds / 60:.0f} min"


@dataclass
class QueueStatus:
    """`triage status`: the queue by status, the last run, the oldest item waiting, deadlines passed."""

    today: date
    by_status: dict[str, int] = field(default_factory=dict)
    purged: int = 0
    last_run: dict | None = None
    oldest_waiting: dict | None = None
    overdue: int = 0
    overdue_oldest: dict | None = None
    quarantine_open: int = 0
    letters_draft: int = 0
    outbox: dict[str, int] = field(default_factory=dict)  # the services' emails per status (pending, sent, failed)
    outbox_given_up: int = 0  # failed as many times as allowed: no longer retried
    max_attempts: int = 0
    outbox_failed: list[dict] = field(default_factory=list)  # the most recent failures, with their last error


def queue_status(database, zone: ZoneInfo, today: date) -> QueueStatus:
    status = QueueStatus(today)
    with database() as session:
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
        waiting = session.execute(select(ItemRow).where(live, ItemRow.status == ItemStatus.TO_REVIEW)
                                  .order_by(func.coalesce(ItemRow.received_at, ItemRow.created_at)).limit(1)).scalar()
        if waiting is not None:
            received = utc(waiting.received_at or waiting.created_at).astimezone(zone)
            status.oldest_waiting = {"chrono": waiting.chrono, "received": received.isoformat(timespec="minutes"),
                                     "days": (today - received.date()).days, "subject": waiting.subject}
        late = select(ItemRow).where(live, ItemRow.status.in_(OPEN), ItemRow.due_date < today)
        status.overdue = session.execute(select(func.count()).select_from(late.subquery())).scalar_one()
        first = session.execute(late.order_by(ItemRow.due_date).limit(1)).scalar()
        if first is not None:
            status.overdue_oldest = {"chrono": first.chrono, "due_date": first.due_date.isoformat(),
                                     "days_late": (today - first.due_date).days, "destination": first.destination}
        status.quarantine_open = session.execute(select(func.count()).where(QuarantineRow.status == "open")).scalar_one()
        status.letters_draft = session.execute(select(func.count()).where(LetterRow.status == "draft")).scalar_one()
    return status


@dataclass
class ExportFilters:
    """The review queue's filters: status, competence, commune, channel, dates, urgent, overdue."""

    status: list[str] | None = None
    competence: str | None = None
    commune: str | None = None  # INSEE code (names are resolved by the caller)
    channel: str | None = None
    since: date | None = None  # received on or after
    until: date | None = None  # received on or before
    urgent: bool = False
    overdue: bool = False


@dataclass
class ExportedItem:
    chrono: str
    received: datetime  # aware UTC
    channel: str
    sender: str | None
    sender_email: str | None
    subject: str | None
    status: str
    competence: str | None
    commune: str | None
    destination: str | None
    urgent: bool
    due_date: date | None
    confidence: float | None


def exported_items(database, filters: ExportFilters, zone: ZoneInfo, today: date) -> list[ExportedItem]:
    """The items matching the queue's filters, by registration number."""
    query = select(ItemRow).order_by(ItemRow.chrono)
    if filters.status:
        query = query.where(ItemRow.status.in_(filters.status))
    if filters.competence:
        query = query.where(ItemRow.competence == filters.competence)
    if filters.commune:
        query = query.where(ItemRow.commune == filters.commune)
    if filters.channel:
        query = query.where(ItemRow.channel == filters.channel)
    received = func.coalesce(ItemRow.received_at, ItemRow.created_at)
    if filters.since:
        query = query.where(received >= day_window(filters.since, zone)[0])
    if filters.until:
        query = query.where(received < day_window(filters.until, zone)[1])
    if filters.urgent:
        query = query.where(ItemRow.urgent.is_(True))
    if filters.overdue:
        query = query.where(ItemRow.due_date < today, ItemRow.status.in_(OPEN))
    with database() as session:
        return [ExportedItem(r.chrono, utc(r.received_at or r.created_at), r.channel, r.sender, r.sender_email,
                             r.subject, r.status, r.competence, r.commune, r.destination, bool(r.urgent), r.due_date,
                             r.confidence) for r in session.execute(query).scalars()]
