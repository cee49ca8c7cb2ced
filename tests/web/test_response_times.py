"""Response times per service and town hall on a seeded month (tests/web/response_times_seed.py),
against figures worked out by hand, on SQLite and PostgreSQL: the store, the page, the debrief."""
from __future__ import annotations

import html
import re
from datetime import date
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import update

from pipeline.store.response_times import per_entry
from pipeline.store.schema import AppUserRow
from tests.web.axe import describe, violations
from tests.web.conftest import browser_login, login
from tests.web.response_times_seed import seed_month

PARIS = ZoneInfo("Europe/Paris")
OCTOBER = (date(2026, 10, 1), date(2026, 10, 31))
TODAY = date(2026, 12, 3)


def test_figures_of_the_month_computed_by_hand(site):
    with site.sessions() as session:
        seed_month(session)
        rows = {r.name: r for r in per_entry(session, *OCTOBER, PARIS, 15, today=TODAY)}
    assert list(rows) == ["Eau et assainissement", "Voirie", "Mairie de Thise"]  # services, then town halls
    water, roads, thise = rows.values()
    # Water: E1..E6 (E7 is 1 November in Paris); E4 sent back; E5 a follow-up.
    assert (water.received, water.redirected, water.followups) == (6, 1, 1)
    assert sorted(water.take_days) == [0.5, 1.0, 3.0] and water.median_take == 1.0
    assert sorted(water.answer_days) == [1, 7, 28] and water.median_answer == 7
    assert (water.within, water.due, water.within_share) == (2, 5, 0.4)  # E1, E5 of E1 E2 E3 E5 E6
    assert water.engagement_days == 15
    assert (roads.received, roads.taken, roads.median_take, roads.answered, roads.median_answer) == (3, 2, 1.5, 2, 8.5)
    assert (roads.within, roads.due, roads.followups, roads.redirected) == (1, 3, 1, 0)
    assert (thise.taken, thise.median_take, thise.median_answer, thise.within, thise.due) == (0, None, 9, 2, 2)


def test_unanswered_items_count_only_once_their_engagement_is_over(site):
    with site.sessions() as session:
        seed_month(session)
        early = {r.name: r for r in per_entry(session, *OCTOBER, PARIS, 15, today=date(2026, 11, 2))}
    # On 2 November, E3's deadline is today (not passed), V3's is 6 November: both still counted out.
    assert (early["Eau et assainissement"].due, early["Voirie"].due) == (4, 2)


def cells(page: str, name: str) -> list[str]:
    for row in re.findall(r"<tr>(.*?)</tr>", page, re.S):
        found = [" ".join(html.unescape(re.sub(r"<[^>]+>", " ", c)).split())
                 for c in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)]
        if found and found[0] == name:
            return found
    raise AssertionError(f"{name} absent")


def test_page_shows_the_month_per_service_and_town_hall(site, client):
    with site.sessions() as session:
        seed_month(session)
    login(client, "agent")
    page = client.get("/delais?du=2026-10-01&au=2026-10-31")
    assert page.status_code == 200 and "<h1>Délais de réponse</h1>" in page.text
    assert cells(page.text, "Eau et assainissement") == ["Eau et assainissement", "6", "3", "1,0 j", "3", "7,0 j",
                                                         "40 % 2/5", "15 j ouvrés", "1", "1"]
    assert cells(page.text, "Voirie") == ["Voirie", "3", "2", "1,5 j", "2", "8,5 j", "33 % 1/3", "5 j ouvrés", "1", "0"]
    assert cells(page.text, "Mairie de Thise") == ["Mairie de Thise", "2", "0", "—", "2", "9,0 j", "100 % 2/2",
                                                   "10 j ouvrés", "0", "0"]
    assert page.text.index('id="mairies"') < page.text.index("Mairie de Thise")
    assert "Déchets" not in page.text and "Préfecture" not in page.text
    assert client.get("/delais?du=2026-10-31&au=2026-10-01").status_code == 400
    assert "Aucun courrier reçu par un service" in client.get("/delais?du=2020-01-01&au=2020-01-31").text


def test_debrief_shows_the_last_30_days(site, client):
    with site.sessions() as session:
        seed_month(session)
    login(client, "agent")
    page = client.get("/debrief?jour=2026-10-31").text
    assert "Délais de réponse des 30 derniers jours" in page
    # 2 to 31 October: without E1 and E6 (1 October) for water; Roads entirely inside.
    assert cells(page, "Voirie") == ["Voirie", "3", "2", "1,5 j", "2", "8,5 j", "33 % 1/3", "5 j ouvrés", "1", "0"]
    assert cells(page, "Eau et assainissement")[1:3] == ["4", "2"]


def test_service_accounts_do_not_read_the_figures(site, client):
    with site.sessions() as session:
        session.execute(update(AppUserRow).where(AppUserRow.username == "agent2").values(role="service"))
        session.commit()
    login(client, "agent2")
    assert client.get("/delais", follow_redirects=False).status_code == 403


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_axe_finds_nothing_on_the_page(site, live_server, browser):
    with site.sessions() as session:
        seed_month(session)
    context = browser.new_context(locale="fr-FR", viewport={"width": 1366, "height": 768}, bypass_csp=True)
    try:
        page = context.new_page()
        browser_login(page, live_server, "agent")
        page.goto(f"{live_server}/delais?du=2026-10-01&au=2026-10-31")
        assert page.locator("h1").inner_text() == "Délais de réponse"
        assert violations(page) == [], describe(violations(page))
    finally:
        context.close()
