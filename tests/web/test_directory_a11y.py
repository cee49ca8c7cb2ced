"""WCAG 2.1 AA (axe-core in Chromium) on the directory's pages and the item's "Destinataires" panel."""
from __future__ import annotations

import pytest

from pipeline.store import directory as store
from pipeline.store.directory_seed import seed_directory
from pipeline.web.review import Decision, review
from tests.web.axe import describe, violations
from tests.web.conftest import PASSWORDS

pytestmark = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)


def test_axe_finds_nothing_on_the_directory_its_entry_page_and_the_destinations_panel(site, live_server, browser):
    with site.sessions() as session:
        seed_directory(session, site.settings)
        water = store.entry_by_code(session, "eau_assainissement")
        head = store.add_person(session, water.id, "admin", name="Claire Exemple", is_head=True)
        store.add_person(session, water.id, "admin", name="Paul Essai", substitute_id=head.id)
        session.commit()
        item = site.items[0]
        from pipeline.store import review as review_store
        row = review_store.item(session, item)
        review(session, item, row.version, Decision(row.competence, row.commune, row.urgent), "admin",
               site.app.state.context)
    context = browser.new_context(locale="fr-FR", viewport={"width": 1366, "height": 768}, bypass_csp=True)
    page = context.new_page()
    page.set_default_timeout(10_000)
    page.goto(f"{live_server}/connexion")
    page.fill('input[name="username"]', "admin")
    page.fill('input[name="password"]', PASSWORDS["admin"])
    page.click('button[type="submit"]')
    page.wait_for_url(f"{live_server}/file")
    try:
        for path in ("/admin/annuaire", f"/admin/annuaire/{water.id}", "/admin/annuaire/historique",
                     f"/elements/{item}"):
            page.goto(live_server + path)
            if path.startswith("/elements"):
                page.click("#transmettre summary")  # the transmission form, open
            found = violations(page)
            assert found == [], f"{path}: {describe(found)}"
    finally:
        context.close()
