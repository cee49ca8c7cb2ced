"""The stand-up page on a seeded Monday: everything since Friday's debrief, what waits where, who did what."""
from __future__ import annotations

import re
from datetime import date
from zoneinfo import ZoneInfo

import pytest

from pipeline.store import standup
from tests.web.conftest import login
from tests.web.standup_seed import MONDAY, PARIS, THISE_HALL, WASTE, seed

pytestmark = pytest.mark.parametrize("database_url", ["sqlite", "postgresql"], indirect=True)


@pytest.mark.parametrize("meeting, since", [
    (date(2026, 11, 30), date(2026, 11, 27)),  # Monday: since Friday
    (date(2026, 11, 12), date(2026, 11, 10)),  # Thursday after Armistice (Wed 11): since Tuesday
    (date(2026, 12, 1), date(2026, 11, 30)),  # an ordinary Tuesday: since Monday
])
def test_since_the_last_debrief_covers_weekends_and_holidays(meeting, since, database_url):
    start, end = standup.period(meeting, ZoneInfo("Europe/Paris"))
    assert start.astimezone(PARIS).date() == since and start.astimezone(PARIS).hour == 9
    assert end.astimezone(PARIS).date() == meeting


def test_monday_standup_figures(site):
    ids = seed(site.sessions)
    with site.sessions() as session:
        data = standup.collect(session, MONDAY, PARIS)
    assert data.received == 6  # Friday 14 h to Monday 8 h 10, not Friday 8 h
    assert data.auto_routed == 4 and len(data.urgent) == 1
    waste = next(d for d in data.desks if d.destination == WASTE)
    assert (waste.overdue, waste.oldest_overdue.id) == (3, ids["late1"])
    assert [ref.id for ref in waste.late] == [ids["late1"], ids["late2"], ids["late3"]]
    thise = next(d for d in data.desks if d.destination == THISE_HALL)
    assert (thise.overdue, thise.waiting) == (1, 2)
    assert data.desks[0].destination == WASTE  # most overdue first: the service to call
    assert {user: dict(actions) for user, actions in data.workload.items()} == {
        "lea": {"confirm": 2, "correct": 1}, "paul": {"confirm": 1}}
    assert len(data.weeks) == 8 and sum(w.received for w in data.weeks[:-1]) >= 14
    assert [letter["kind"] for letter in data.letters] == ["accuse_reception"]


def test_monday_standup_page_links_items_and_picks_a_date(site, client):
    ids = seed(site.sessions)
    login(client, "agent")
    page = client.get("/debrief", params={"jour": MONDAY.isoformat()}).text
    assert "Débrief du lundi 30 novembre 2026" in page
    assert "Depuis le débrief du vendredi 27 novembre 2026 à 09 h (week-end et jours fériés compris)" in page
    assert f'href="/elements/{ids["late1"]}"' in page and f'href="/elements/{ids["sat"]}"' in page
    assert 'type="date" id="jour" name="jour" value="2026-11-30"' in page
    cards = dict((label.strip(), n) for n, label in re.findall(r"<strong>(?:<a[^>]*>)?([\d\u202f]+)(?:</a>)?</strong> ([^<]+)", page))
    assert cards["reçus"] == "6" and cards["en retard"] == "4" and cards["lettre à envoyer"] == "1"
    assert page.count('<svg class="spark"') == 2


def test_follow_up_counts_per_service_since_the_last_debrief(site, client):
    seed(site.sessions)
    login(client, "agent")
    page = client.get("/debrief", params={"jour": MONDAY.isoformat()}).text
    assert "Relances" in page and "1 relance</summary>" in page  # Sunday's follow-up, at the waste service
    tuesday = client.get("/debrief", params={"jour": "2026-12-01"}).text
    assert "1 relance</summary>" not in tuesday  # received before Monday's debrief: not on Tuesday's agenda


def _service_events(site, ids):
    """A water-service account took and answered the urgent Saturday item; a clerk corrected one item."""
    from pipeline.store.schema import DirectoryEntryRow, ReviewEventRow
    from pipeline.store.users import add_user
    from tests.web.standup_seed import at
    sunday = MONDAY.replace(day=29)
    with site.sessions() as session:
        water = DirectoryEntryRow(kind="service", code="eau_assainissement", name="Eau", updated_at=at(sunday, 9))
        session.add(water)
        session.flush()
        add_user(session, "eau-agent", "eau-mot-de-passe", "service", entry_id=water.id)
        for hour, user, action in ((10, "eau-agent", "taken"), (11, "eau-agent", "answered"),
                                   (12, "eau-agent", "seen"), (13, "eau-agent", "redirected"),
                                   (14, "paul", "correct")):
            session.add(ReviewEventRow(item_id=ids["sat"], user=user, at=at(sunday, hour), action=action,
                                       before={}, after={}, comment=""))
        session.commit()


def test_services_actions_are_apart_from_the_clerks_and_in_french(site, client):
    ids = seed(site.sessions)
    _service_events(site, ids)
    with site.sessions() as session:
        data = standup.collect(session, MONDAY, PARIS)
    assert "eau-agent" not in data.workload  # a service's answer is not a clerk's work
    assert dict(data.services) == {"taken": 1, "answered": 1, "seen": 1, "redirected": 1}
    assert data.service_accounts == 1 and dict(data.workload["paul"]) == {"confirm": 1, "correct": 1}
    login(client, "agent")
    page = client.get("/debrief", params={"jour": MONDAY.isoformat()}).text
    who = page.split('id="who"')[1].split("</table>")[0]
    assert "1 correction" in who and "1 corrections" not in who and "2 confirmations" in who
    services = who.split('class="services-row"')[1]
    assert "Services" in services and "1 compte<" in services
    for words in ("1 prise en charge", "1 réponse enregistrée", "1 copie lue", "1 réorientation"):
        assert words in services
    for raw in ("taken", "answered", "seen", "redirected"):
        assert f" {raw}" not in who

