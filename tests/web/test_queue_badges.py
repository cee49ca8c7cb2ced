"""The queue's first column in Chromium: an urgent and overdue item shows both badges whole ("Reta…" was cut)."""
from __future__ import annotations

from datetime import date

import pytest

from pipeline.store.schema import ItemRow
from tests.web.conftest import browser_login

pytestmark = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
CLIPPED = """els => els.map(e => [e.textContent.trim(), e.scrollWidth > e.clientWidth,
    e.getBoundingClientRect().right > e.closest('li').children[1].getBoundingClientRect().left])"""


@pytest.mark.parametrize("width", [1366, 1920, 900])
def test_urgent_and_late_badges_are_whole(site, live_server, browser, width):
    with site.sessions() as session:
        for item_id in site.items[:2]:
            row = session.get(ItemRow, item_id)
            row.due_date, row.urgent = date(2026, 1, 5), item_id == site.items[0]
        session.commit()
    context = browser.new_context(locale="fr-FR", viewport={"width": width, "height": 800})
    page = context.new_page()
    try:
        browser_login(page, live_server, "agent")
        marks = page.locator(f"#ligne-{site.items[0]} .marks")
        assert marks.inner_text().split() == ["Urgent", "En", "retard"]
        assert marks.evaluate("e => e.scrollWidth <= e.clientWidth && e.scrollHeight <= e.clientHeight")
        badges = page.locator(f"#ligne-{site.items[0]} .marks .badge, #ligne-{site.items[1]} .marks .badge")
        assert badges.count() == 3
        for text, cut, overlaps in badges.evaluate_all(CLIPPED):
            assert not cut and not overlaps, (text, width)
    finally:
        context.close()
