"""The stand-up's figures: what arrived since the last debrief, what waits where, who did what, the trend.

"Since the last debrief" runs from the previous working day's debrief time (9 a.m. in the
configured zone) to the meeting day's: a Monday covers Friday morning to Monday morning, the day
after a public holiday covers the holiday too. What waits and what is overdue is read as it
stands now. Plain dataclasses leave this module.
"""
from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

import holidays
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from pipeline.status import OPEN, ItemStatus
from pipeline.store.schema import AppUserRow, ItemClaimRow, ItemRow, LetterRow, QuarantineRow, ReviewEventRow, RunRow

DEBRIEF_HOUR = time(9)
WEEKS = 8
ACTIVE = (ItemStatus.TO_REVIEW, ItemStatus.ROUTED, ItemStatus.CONFIRMED, ItemStatus.CORRECTED)


def previous_working_day(day: date) -> date:
    """The last day before `day` that is neither a weekend nor a French public holiday."""
    off = holidays.France(years=range(day.year - 1, day.year + 1))
    day -= timedelta(days=1)
    while day.weekday() >= 5 or day in off:
        day -= timedelta(days=1)
    return day


def period(meeting: date, zone: ZoneInfo) -> tuple[datetime, datetime]:
    """(start, end) in UTC: from the previous working day's debrief to this one's."""
    start = datetime.combine(previous_working_day(meeting), DEBRIEF_HOUR, zone)
    end = datetime.combine(meeting, DEBRIEF_HOUR, zone)
    return start.astimezone(timezone.utc), end.astimezone(timezone.utc)


@dataclass
class Ref:
    """An item a line of the debrief links to."""

    id: int
    chrono: str
    subject: str
    received: datetime | None
    due: date | None
    destination: str
    status: str


@dataclass
class Desk:
    """One service or town hall: what waits there, what is overdue, the oldest item."""

    destination: str
    kind: str
    waiting: int = 0
    to_review: int = 0
    overdue: int = 0
    oldest: Ref | None = None
    oldest_overdue: Ref | None = None
    late: list[Ref] = field(default_factory=list)


@dataclass
class Week:
    end: date
    received: int
    auto_routed: int
    backlog: int  # items waiting for a clerk at the end of that week

    @property
    def auto_rate(self) -> float | None:
        return self.auto_routed / self.received if self.received else None


@dataclass
class Standup:
    meeting: date
    start: datetime
    end: datetime
    received: int = 0
    by_channel: Counter = field(default_factory=Counter)
    auto_routed: int = 0
    urgent: list[Ref] = field(default_factory=list)
    to_review: int = 0
    overdue: int = 0
    desks: list[Desk] = field(default_factory=list)
    workload: dict[str, Counter] = field(default_factory=dict)  # the mail team's accounts only
    services: Counter = field(default_factory=Counter)  # what the service and town-hall accounts did, together
    service_accounts: int = 0  # how many of them acted
    open_now: dict[str, int] = field(default_factory=dict)  # clerk -> items they have open right now
    weeks: list[Week] = field(default_factory=list)
    letters: list[dict] = field(default_factory=list)
    quarantined: int = 0
    quarantine_open: int = 0
    runs: list[dict] = field(default_factory=list)

    @property
    def auto_rate(self) -> float | None:
        return self.auto_routed / self.received if self.received else None


def _ref(row: ItemRow) -> Ref:
    return Ref(row.id, row.chrono, row.subject or "", row.received_at or row.created_at, row.due_date,
               row.destination or "—", row.status)


def collect(session: Session, meeting: date, zone: ZoneInfo, now: datetime | None = None) -> Standup:
    start, end = period(meeting, zone)
    data = Standup(meeting, start, end)
    received = func.coalesce(ItemRow.received_at, ItemRow.created_at)
    for row in session.execute(select(ItemRow).where(received >= start, received < end)
                               .order_by(ItemRow.chrono)).scalars():
        data.received += 1
        data.by_channel[row.channel] += 1
        data.auto_routed += not row.review_reasons
        if row.urgent:
            data.urgent.append(_ref(row))
    _desks(session, data, meeting)
    _workload(session, data, start, end, now or datetime.now(timezone.utc))
    data.weeks = _weeks(session, end)
    data.letters = [{"id": letter.id, "item_id": letter.item_id, "chrono": chrono, "kind": letter.kind,
                     "channel": letter.channel, "recipient": letter.recipient_email or letter.recipient}
                    for letter, chrono in session.execute(
                        select(LetterRow, ItemRow.chrono).join(ItemRow, ItemRow.id == LetterRow.item_id)
                        .where(LetterRow.status.in_(("draft", "failed"))).order_by(LetterRow.id)).all()]
    data.quarantined = session.execute(select(func.count()).select_from(QuarantineRow).where(
        QuarantineRow.created_at >= start, QuarantineRow.created_at < end)).scalar_one()
    data.quarantine_open = session.execute(select(func.count()).select_from(QuarantineRow)
                                           .where(QuarantineRow.status == "open")).scalar_one()
    data.runs = [{"id": run.id, "status": run.status, "exit_code": run.exit_code, "started": run.started_at,
                  "stored": (run.counts or {}).get("stored", 0)}
                 for run in session.execute(select(RunRow).where(RunRow.started_at >= start, RunRow.started_at < end)
                                            .order_by(RunRow.started_at)).scalars()]
    return data


def _desks(session: Session, data: Standup, today: date) -> None:
    """Every open item by destination, oldest first; overdue when its due date has passed."""
    desks: dict[str, Desk] = {}
    rows = session.execute(select(ItemRow).where(ItemRow.status.in_(OPEN), ItemRow.purged_at.is_(None))
                           .order_by(func.coalesce(ItemRow.received_at, ItemRow.created_at), ItemRow.id)).scalars()
    for row in rows:
        desk = desks.setdefault(row.destination or "—", Desk(row.destination or "—", row.destination_kind or ""))
        desk.waiting += 1
        if row.status == ItemStatus.TO_REVIEW:
            desk.to_review += 1
            data.to_review += 1
        desk.oldest = desk.oldest or _ref(row)
        if row.due_date and row.due_date < today:
            desk.overdue += 1
            data.overdue += 1
            desk.late.append(_ref(row))
    for desk in desks.values():
        desk.late.sort(key=lambda ref: (ref.due, ref.id))
        desk.oldest_overdue = desk.late[0] if desk.late else None
    data.desks = sorted(desks.values(), key=lambda d: (-d.overdue, -d.waiting, d.destination))


def _workload(session: Session, data: Standup, start: datetime, end: datetime, now: datetime) -> None:
    """Who of the mail team did what; the services' taking, reading and answering is their own work, not a
    clerk's, so it is summed apart."""
    workload: dict[str, Counter] = defaultdict(Counter)
    services = set(session.execute(select(AppUserRow.username).where(AppUserRow.role == "service")).scalars())
    acting = set()
    for user, action, count in session.execute(
            select(ReviewEventRow.user, ReviewEventRow.action, func.count())
            .where(ReviewEventRow.at >= start, ReviewEventRow.at < end)
            .group_by(ReviewEventRow.user, ReviewEventRow.action)).all():
        if user in services:
            data.services[action] += count
            acting.add(user)
        else:
            workload[user][action] += count
    data.service_accounts = len(acting)
    data.workload = dict(sorted(workload.items(), key=lambda pair: -sum(pair[1].values())))
    data.open_now = dict(session.execute(select(ItemClaimRow.user, func.count()).where(ItemClaimRow.expires_at > now)
                                         .group_by(ItemClaimRow.user)).all())


def _weeks(session: Session, end: datetime) -> list[Week]:
    """Received, routed automatically, and the backlog at each of the last weeks' ends (oldest first).

    The backlog at an instant is rebuilt from the audit trail: the items sent to review received
    before it whose first decision came after it (or has not come yet).
    """
    first = WEEKS * 7
    since = end - timedelta(days=first)
    received = func.coalesce(ItemRow.received_at, ItemRow.created_at)
    rows = session.execute(select(ItemRow.id, received.label("at"), ItemRow.review_reasons)
                           .where(received < end)).all()
    decided = dict(session.execute(select(ReviewEventRow.item_id, func.min(ReviewEventRow.at))
                                   .group_by(ReviewEventRow.item_id)).all())
    weeks = []
    for n in range(WEEKS):
        week_start, week_end = since + timedelta(days=7 * n), since + timedelta(days=7 * (n + 1))
        inside = [r for r in rows if week_start <= _utc(r.at) < week_end]
        backlog = sum(1 for r in rows if r.review_reasons and _utc(r.at) < week_end
                      and (r.id not in decided or _utc(decided[r.id]) >= week_end))
        weeks.append(Week(week_end.date(), len(inside), sum(1 for r in inside if not r.review_reasons), backlog))
    return weeks


def _utc(moment: datetime) -> datetime:
    return moment.replace(tzinfo=timezone.utc) if moment.tzinfo is None else moment
