"""Ma corbeille in Chromium: a service agent works with the keyboard alone, and axe finds nothing."""
from __future__ import annotations

import pytest

from tests.web.axe import describe, violations
from tests.web.basket_seed import PASSWORDS, chrono_of, seed_baskets

pytestmark = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)


@pytest.fixture
def service_page(browser, live_server):
    context = browser.new_context(locale="fr-FR", viewport={"width": 1366, "height": 768}, bypass_csp=True)
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


def test_service_agent_takes_and_answers_with_the_keyboard(site, live_server, service_page):
    seed_baskets(site)
    page, item = service_page, site.items[0]
    page.goto(f"{live_server}/file")
    page.fill('input[name="username"]', "eau")
    page.fill('input[name="password"]', PASSWORDS["eau"])
    page.click('button[type="submit"]')
    page.wait_for_url(f"{live_server}/corbeille")
    assert page.locator("#queue [role=option]").count() == 1
    assert chrono_of(site, item) in page.inner_text("#queue")
    found = violations(page)
    assert found == [], describe(found)

    page.keyboard.press("j")
    page.keyboard.press("Enter")
    page.wait_for_url(f"{live_server}/corbeille/items/{item}")
    found = violations(page)
    assert found == [], describe(found)
    page.keyboard.press("p")
    page.wait_for_selector("#taken")
    assert "Pris en charge par eau" in page.inner_text("#taken")

    page.keyboard.press("r")  # to the answer's date: today is already there, the channel by arrows
    assert page.evaluate("document.activeElement.id") == "answer-date"
    page.check('input[name="canal"][value="sur_place"]')
    page.fill('textarea[name="note"]', "Reçue à l'accueil")
    page.click("#answer-form button[type=submit]")
    page.wait_for_url(f"{live_server}/corbeille")
    assert "Réponse enregistrée" in page.inner_text("main")
    page.click("#onglet-repondu")
    assert "(sur place)" in page.inner_text("#queue")
    from pipeline.store.schema import ItemRow
    with site.sessions() as session:
        assert session.get(ItemRow, item).status == "handled"
