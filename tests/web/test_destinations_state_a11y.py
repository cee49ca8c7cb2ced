"""axe finds nothing on a clerk's item page showing what the services did ("Suivi par les services")."""
from __future__ import annotations

from datetime import date, datetime, timezone

import pytest

from pipeline.store.schema import ItemDestinationRow, ItemRow
from tests.web.axe import describe, violations
from tests.web.basket_seed import seed_baskets
from tests.web.conftest import browser_login

pytestmark = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)


def test_axe_finds_nothing_on_the_services_follow_up(site, live_server, browser):
    entries = seed_baskets(site)
    item = site.items[0]
    moment = datetime(2026, 12, 1, 9, tzinfo=timezone.utc)
    with site.sessions() as session:
        water = session.query(ItemDestinationRow).filter_by(item_id=item, entry_id=entries["eau"]).one()
        water.taken_at, water.taken_by, water.answered_at, water.answered_by = moment, "eau", moment, "eau"
        water.answer_date, water.answer_channel, water.answer_note = date(2026, 11, 30), "courrier", "Lettre n° 12"
        session.get(ItemRow, item).status = "handled"
        session.commit()
    context = browser.new_context(locale="fr-FR", viewport={"width": 1366, "height": 768}, bypass_csp=True)
    try:
        page = context.new_page()
        browser_login(page, live_server, "agent")
        page.goto(f"{live_server}/elements/{item}")
        follow = page.locator("#service-states li").first.inner_text()
        assert "répondu le 30 nov. 2026 (courrier) par eau" in follow and "Lettre n° 12" in follow
        assert "pris en charge" not in follow  # taken by the answer itself: said once
        found = violations(page)
        assert found == [], describe(found)
    finally:
        context.close()
