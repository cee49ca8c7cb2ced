"""Response times per service and town hall, over the principal destinations of the items received in a
period: how fast each takes the mail and answers, how much is answered within its engagement (working
days, French public holidays), how many follow-ups and redirections it got.

Days to take run from when the service was told (or the destination added); days to answer from the
item's receipt to the answer's own date (or the day "répondu" was recorded).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time
from statistics import median
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from pipeline.routing_table import Delay
from pipeline.store.schema import DirectoryEntryRow, ItemDestinationRow, ItemRow



@dataclass
class EntryTimes:
    entry_id: int
    name: str
    kind: str
    engagement_days: int
    received: int = 0  # principal destinations of items received in the period
    taken: int = 0
    answered: int = 0
    due: int = 0  # answered, or unanswered past their engagement: the base of the share
    within: int = 0  # answered by the engagement's end
    followups: int = 0  # received items that follow up an earlier one
    redirected: int = 0  # sent back to the mail team
    take_days: list[float] = field(default_factory=list)
    answer_days: list[int] = field(default_factory=list)

    @property
    def median_take(self) -> float | None:
        return median(self.take_days) if self.take_days else None

    @property
    def median_answer(self) -> float | None:
        return median(self.answer_days) if self.answer_days else None

    @property
    def within_share(self) -> float | None:
        return self.within / self.due if self.due else None


def _local_day(value: datetime, zone: ZoneInfo) -> date:
    return value.astimezone(zone).date()


def per_entry(session: Session, start: date, end: date, zone: ZoneInfo, default_engagement: int,
              today: date | None = None) -> list[EntryTimes]:
    """Figures per entry for the items received from `start` to `end` (inclusive, local days); services
    first, then town halls, by name. `today` decides which unanswered items are past their engagement."""
    today = today or datetime.now(zone).date()
    received = func.coalesce(ItemRow.received_at, ItemRow.created_at)
    since = datetime.combine(start, time(0), zone)
    until = datetime.combine(date.fromordinal(end.toordinal() + 1), time(0), zone)
    rows = session.execute(
        select(ItemDestinationRow, ItemRow.received_at, ItemRow.created_at, ItemRow.followup_of,
               DirectoryEntryRow.name, DirectoryEntryRow.kind, DirectoryEntryRow.engagement_days)
        .join(ItemRow, ItemRow.id == ItemDestinationRow.item_id)
        .join(DirectoryEntryRow, DirectoryEntryRow.id == ItemDestinationRow.entry_id)
        .where(ItemDestinationRow.role == "principal", ItemRow.purged_at.is_(None),
               DirectoryEntryRow.kind != "administration",  # answers of other administrations are not recorded here
               received >= since, received < until)).all()
    found: dict[int, EntryTimes] = {}
    deadlines: dict[tuple[int, date], date] = {}  # the holidays' calendar is slow to build: once per pair
    for dest, received_at, created_at, followup_of, name, kind, engagement in rows:
        times = found.setdefault(dest.entry_id, EntryTimes(dest.entry_id, name, kind, engagement or default_engagement))
        times.received += 1
        times.followups += followup_of is not None
        if dest.redirected_at is not None:
            times.redirected += 1
            continue
        if dest.taken_at is not None:
            times.taken += 1
            told = dest.notified_at or dest.added_at
            times.take_days.append(max((dest.taken_at - told).total_seconds(), 0) / 86400)
        arrived = _local_day(received_at or created_at, zone)
        pair = (times.engagement_days, arrived)
        if pair not in deadlines:
            deadlines[pair] = Delay(times.engagement_days, "working_days").after(arrived)
        deadline = deadlines[pair]
        if dest.answered_at is not None:
            answered = dest.answer_date or _local_day(dest.answered_at, zone)
            times.answered += 1
            times.answer_days.append((answered - arrived).days)
            times.due += 1
            times.within += answered <= deadline
        elif deadline < today:
            times.due += 1
    return sorted(found.values(), key=lambda t: (t.kind != "service", t.name.lower()))
