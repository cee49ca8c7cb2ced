"""A month of mail (October 2026) delivered to two services and a town hall, with what each did; the
figures expected from it are worked out by hand in tests/web/test_response_times.py.

Times are UTC; Paris is UTC+2 until 25 October, UTC+1 after. 11 November is a public holiday.
"""
from __future__ import annotations

from datetime import date, datetime, timezone

from tests.notify_seed import destination, entry, item


def at(month: int, day: int, hour: float = 8, year: int = 2026) -> datetime:
    return datetime(year, month, day, int(hour), int(hour % 1 * 60), tzinfo=timezone.utc)


def seed_month(session) -> dict[str, int]:
    water = entry(session, "eau_assainissement", "Eau et assainissement")  # the default engagement (15)
    roads = entry(session, "voirie", "Voirie", engagement_days=5)
    thise = entry(session, "25560", "Mairie de Thise", kind="mairie", engagement_days=10)
    waste = entry(session, "dechets", "Déchets")
    prefecture = entry(session, "prefecture-doubs", "Préfecture du Doubs", kind="administration")
    n = iter(range(901, 1000))  # clear of the chrono numbers of the web fixtures' items

    def mail(where: int, received: datetime, **fields) -> int:
        followup_of = fields.pop("followup_of", None)
        item_id = item(session, next(n), received=received, followup_of=followup_of)
        destination(session, item_id, where, added=received, **fields)
        return item_id

    # Water: E1 taken after 1 day, answered in 7 (within: by 22 October).
    e1 = mail(water, at(10, 1), notified_at=at(10, 1, 12), taken_at=at(10, 2, 12),
              answered_at=at(10, 9, 14), answer_date=date(2026, 10, 8))
    destination(session, e1, thise, role="copy", added=at(10, 1))  # copies do not count
    # E2 never notified: taken half a day after it was added; "répondu" recorded on 2 November, no answer
    # date: 28 days, past its 26 October deadline.
    mail(water, at(10, 5), taken_at=at(10, 5, 20), answered_at=at(11, 2, 10))
    # E3 taken after 3 days, never answered: its deadline (2 November) has passed.
    mail(water, at(10, 12), notified_at=at(10, 12, 9), taken_at=at(10, 15, 9))
    mail(water, at(10, 20), redirected_at=at(10, 21), redirected_by="eau", redirect_reason="pas pour nous")  # E4
    # E5, a follow-up of E1, answered the next day.
    mail(water, at(10, 26), notified_at=at(10, 26), answered_at=at(10, 28), answer_date=date(2026, 10, 27),
         followup_of=e1)
    mail(water, at(9, 30, 22.5))  # E6: 00:30 on 1 October in Paris: in the month, unanswered past 22 October
    mail(water, at(10, 31, 23.5))  # E7: 00:30 on 1 November in Paris: not in the month
    # Roads (5 working days): V1 taken after 1 day, answered on its last day (3 November), 7 days.
    v1 = mail(roads, at(10, 27), notified_at=at(10, 27), taken_at=at(10, 28),
              answer_date=date(2026, 11, 3), answered_at=at(11, 3, 15))
    destination(session, v1, water, role="copy", added=at(10, 27), taken_at=at(10, 27, 9))
    # V2 taken after 2 days, answered on 9 November (10 days), after its 6 November deadline.
    mail(roads, at(10, 30), notified_at=at(10, 30), taken_at=at(11, 1), answer_date=date(2026, 11, 9),
         answered_at=at(11, 9, 15))
    mail(roads, at(10, 30, 9), followup_of=v1)  # V3: unanswered, past 6 November
    # Thise (10 working days): T1 answered on 13 November, its deadline once 11 November is skipped (15 days).
    mail(thise, at(10, 29), answer_date=date(2026, 11, 13), answered_at=at(11, 13, 16))
    mail(thise, at(10, 2), answer_date=date(2026, 10, 5), answered_at=at(10, 5, 16))  # T2: 3 days
    mail(waste, at(9, 15))  # before the month
    mail(prefecture, at(10, 14))  # transmitted: its answer is not recorded here
    session.commit()
    return {"water": water, "roads": roads, "thise": thise, "waste": waste, "prefecture": prefecture}
