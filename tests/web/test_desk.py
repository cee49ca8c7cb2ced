"""The review desk in Chromium: two clerks on one queue, undo of a single and of a bulk confirmation."""
from __future__ import annotations

import re
from collections import Counter
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from pipeline.store.schema import ItemRow, ReviewEventRow
from tests.web.conftest import browser_login, csrf_of, login
from tests.web.seed import email_bytes, email_item, store

pytestmark = pytest.mark.parametrize("database_url", ["sqlite", "postgresql"], indirect=True)


def _more_items(site, count: int) -> list[int]:
    extra = [email_item(email_bytes(f"Bac non collecté {n}", f"Bonjour, mon bac n'a pas été collecté ({n})."),
                        competences=[("dechets", 0.6), ("voirie", 0.2)], name=f"bac-{n}.eml",
                        due=date(2027, 2, 1) + timedelta(days=n), destination="Direction de la gestion des déchets")
             for n in range(count)]
    return store(site.sessions, site.settings.file_store_dir, extra)


def _events(site) -> list[ReviewEventRow]:
    with site.sessions() as session:
        return list(session.execute(select(ReviewEventRow).order_by(ReviewEventRow.id)).scalars())


def _statuses(site) -> dict[int, str]:
    with site.sessions() as session:
        return {row.id: row.status for row in session.execute(select(ItemRow)).scalars()}


def test_two_clerks_in_parallel_on_one_queue_never_collide(site, live_server, browser, page):
    _more_items(site, 12)  # 16 items to review
    other_context = browser.new_context(locale="fr-FR", viewport={"width": 1440, "height": 900})
    other = other_context.new_page()
    other.set_default_timeout(15_000)
    conflicts = []
    for clerk in (page, other):
        clerk.on("response", lambda r: conflicts.append(r.url) if r.status == 409 else None)
    try:
        browser_login(page, live_server, "agent")
        browser_login(other, live_server, "agent2")
        # Both press "Commencer la relecture" at the same moment (the collision of the issue).
        page.click("#start", no_wait_after=True)
        other.click("#start", no_wait_after=True)
        for clerk in (page, other):
            clerk.wait_for_url("**/elements/*")
        assert page.url.split("?")[0] != other.url.split("?")[0]
        actions = 0
        while "/elements/" in page.url or "/elements/" in other.url:
            working = [c for c in (page, other) if "/elements/" in c.url]
            before = {id(c): c.url for c in working}
            for clerk in working:  # Enter on both pages without waiting: the server sees them together
                clerk.keyboard.press("Enter")
            for clerk in working:
                clerk.wait_for_url(lambda url, was=before[id(clerk)]: url != was)
                clerk.wait_for_load_state()
            actions += len(working)
            assert actions <= 40, "la relecture ne se termine pas"
    finally:
        other_context.close()

    events = _events(site)
    confirmations = Counter(e.item_id for e in events if e.action == "confirm")
    assert conflicts == []
    assert [item for item, n in confirmations.items() if n > 1] == []  # zero double confirmations
    assert set(_statuses(site).values()) == {"confirmed"}  # all 16 done, between the two clerks
    assert len(confirmations) == 16 and actions == 16
    assert {e.user for e in events} == {"agent", "agent2"}


def test_queue_shows_who_has_an_item_open_and_next_skips_it(site, live_server, browser, page):
    first = site.items[0]
    browser_login(page, live_server, "agent")
    page.goto(f"{live_server}/elements/{first}")
    other_context = browser.new_context(locale="fr-FR")
    other = other_context.new_page()
    try:
        browser_login(other, live_server, "agent2")
        assert "en cours chez agent" in other.locator(f"#ligne-{first}").inner_text()
        other.click("#start")
        other.wait_for_url("**/elements/*")
        assert f"/elements/{first}?" not in other.url
        other.goto(f"{live_server}/elements/{first}")
        assert "en cours chez agent" in other.locator("#claimed-by").inner_text()
    finally:
        other_context.close()


def _form(client, item_id):
    html = client.get(f"/elements/{item_id}").text
    return csrf_of(html), int(re.search(r'name="version" value="(\d+)"', html).group(1))


def _confirm(client, item_id, token, version):
    return client.post(f"/elements/{item_id}/relecture", data={
        "csrf_token": token, "version": version, "competence": "eau_assainissement", "commune": "25560",
        "retour": ""})


def test_confirm_after_a_conflict_does_not_confirm_again(site, client):
    from fastapi.testclient import TestClient
    item = site.items[0]
    login(client, "agent")
    token, version = _form(client, item)
    with TestClient(site.app) as other:
        login(other, "agent2")
        assert _confirm(other, item, *_form(other, item)).status_code == 200
    stale = _confirm(client, item, token, version)
    assert stale.status_code == 409
    again = _confirm(client, item, *_form(client, item))  # Enter on the refreshed page
    assert "rien n&#39;a été enregistré à nouveau" in again.text
    assert [(e.user, e.action) for e in _events(site)] == [("agent2", "confirm")]


def test_undo_a_confirmation_with_the_key_z(site, live_server, page):
    leak = site.items[0]
    browser_login(page, live_server, "agent")
    page.goto(f"{live_server}/elements/{leak}")
    page.keyboard.press("Enter")
    page.wait_for_url(lambda url: not url.split("?")[0].endswith(f"/elements/{leak}"))
    assert _statuses(site)[leak] == "confirmed"
    assert "confirmé" in page.locator(".flash").first.inner_text()
    page.keyboard.press("z")
    page.wait_for_url(f"**/elements/{leak}*")
    assert _statuses(site)[leak] == "to_review"
    assert [e.action for e in _events(site)] == ["confirm", "undo"]
    assert "Annulation par agent" in page.locator("#audit").inner_text()


def test_bulk_confirm_says_how_many_and_which_and_can_be_undone(site, live_server, page):
    extra = _more_items(site, 3)  # confidence 60 %
    browser_login(page, live_server, "agent")
    page.fill('#bulk-form input[name="seuil"]', "55")
    page.click("#bulk-form button[type=submit]")
    page.wait_for_url("**/file/confirmer-en-lot*")
    assert page.locator("h1").inner_text() == "Confirmer en lot : 3 éléments"
    listed = page.locator("#bulk-confirm tbody tr").all_inner_texts()
    assert len(listed) == 3 and all("Bac non collecté" in line for line in listed)
    page.click("#bulk-submit")
    page.wait_for_url("**/file*")
    assert "3 éléments confirmés en lot" in page.locator(".flash").first.inner_text()
    assert all(_statuses(site)[i] == "confirmed" for i in extra)
    with page.expect_navigation():
        page.keyboard.press("z")
    assert "3 éléments remis à vérifier" in page.locator(".flash").first.inner_text()
    statuses = _statuses(site)
    assert all(statuses[i] == "to_review" for i in extra)
    assert Counter(e.action for e in _events(site)) == {"bulk_confirm": 3, "undo": 3}


def _keys(page) -> dict[str, str]:
    radios = page.locator('input[name="competence"]')
    return {radios.nth(i).get_attribute("value"): radios.nth(i).get_attribute("data-key")
            for i in range(radios.count())}


def test_every_competence_has_a_key_that_does_not_move(site, live_server, page):
    leak, other = site.items[0], site.items[1]  # different top-3 suggestions
    browser_login(page, live_server, "agent")
    page.goto(f"{live_server}/elements/{leak}")
    first = _keys(page)
    page.goto(f"{live_server}/elements/{other}")
    second = _keys(page)
    assert first == second and len(first) == 15
    assert all(first.values()) and len(set(first.values())) == 15
    for code in ("habitat", "cabinet", "hors_competence"):  # beyond the old nine keys
        page.keyboard.press(first[code])
        assert page.locator(f'input[name="competence"][value="{code}"]').is_checked()
        assert page.locator(f'kbd:near(input[value="{code}"])').first.inner_text() == first[code]
    assert page.locator("#administration-field").is_visible()  # "Autre administration": which one?


def test_fuzzy_pickers_find_besancon_and_the_prefecture(site, live_server, page):
    item = site.items[1]
    browser_login(page, live_server, "agent")
    page.goto(f"{live_server}/elements/{item}")
    page.keyboard.press("c")
    page.keyboard.type("besac")
    page.wait_for_selector("#commune-list li")
    assert page.locator("#commune-list li").first.inner_text().startswith("Besançon")
    assert page.get_attribute("#commune-search", "aria-expanded") == "true"
    page.keyboard.press("Enter")
    page.keyboard.press(_keys(page)["hors_competence"])  # Autre administration
    page.keyboard.press("a")
    page.keyboard.type("prefec")
    page.wait_for_selector("#administration-list li")
    page.keyboard.press("Enter")
    page.keyboard.press("e")
    assert page.evaluate("document.activeElement.id") == "echeance"
    page.fill("#echeance", "2027-02-15")
    page.keyboard.press("Escape")
    page.keyboard.press("Enter")
    page.wait_for_url(lambda url: not url.split("?")[0].endswith(f"/elements/{item}"))
    with site.sessions() as session:
        row = session.get(ItemRow, item)
        assert (row.commune, row.competence) == ("25056", "hors_competence")
        assert row.destination == "Autre administration : Préfecture du Doubs (ANTS)"
        assert row.due_date == date(2027, 2, 15)


def test_a_comment_typed_then_skipped_is_still_there(site, live_server, page):
    item = site.items[0]
    browser_login(page, live_server, "agent")
    page.goto(f"{live_server}/elements/{item}")
    page.keyboard.press("m")
    page.keyboard.type("Rappeler l'usager")
    page.keyboard.press("Escape")
    page.keyboard.press("n")
    page.wait_for_url(lambda url: not url.split("?")[0].endswith(f"/elements/{item}"))
    page.goto(f"{live_server}/elements/{item}")
    assert page.input_value("#comment") == "Rappeler l'usager"
