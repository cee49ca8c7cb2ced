"""The whole circuit of issue 12 in Chromium, with the real commands and a real mail server.

An administrator fills the directory on the "Annuaire" page (agents, an absence and its substitute, a
default copy); `triage run` routes the night's letters and distributes them; the mail team presses
« Revue terminée : prévenir les services » and each service's digest reaches aiosmtpd with links to its
basket; the water agent follows the link, sees only its basket, takes and answers one letter and sends
the other back; the clerk finds it in the queue with the reason; the roads agent, substitute of the
absent waste agent, gets that basket, and the water letter in copy.
"""
from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from pipeline.store import directory
from pipeline.store.schema import ItemDestinationRow, ItemRow
from tests.ops.conftest import free_port, smtp_server  # noqa: F401 - the fixture
from tests.web.circuit_setup import (COMPETENCES, KEYS, LETTERS, Site, add_account, configure, drop_letters,
                                     sign_in, triage)

EAU, VOIRIE, DECHETS = "eau_assainissement", "voirie", "dechets"
REASON = "Canalisation privée de l'immeuble : à l'usager de faire intervenir un plombier"


def _items(site) -> dict[str, ItemRow]:
    with site.sessions() as session:
        return {row.filename.removesuffix(".eml"): row for row in session.scalars(select(ItemRow))}


def _destinations(site, item_id: int) -> dict[str, ItemDestinationRow]:
    with site.sessions() as session:
        rows = session.scalars(select(ItemDestinationRow).where(ItemDestinationRow.item_id == item_id)).all()
        return {directory.entry(session, row.entry_id).code: row for row in rows}


def _entry_id(site, code: str) -> int:
    with site.sessions() as session:
        return directory.entry_by_code(session, code).id


def _person_id(site, name: str) -> int:
    with site.sessions() as session:
        return next(p.id for p in directory.persons(session) if p.name == name)


def fill_directory(site, admin, today: date) -> None:
    """The administrator's part, on the Annuaire pages: agents, Denis away with Victor standing in, and
    the roads service in copy of every water letter."""
    agents = {EAU: ("Anne Eau", "anne@eau.test", "eau"), VOIRIE: ("Victor Voirie", "victor@voirie.test", "voirie"),
              DECHETS: ("Denis Déchets", "denis@dechets.test", "")}
    for code, (name, email, username) in agents.items():
        admin.goto(f"{site.url}/admin/annuaire/{_entry_id(site, code)}")
        form = admin.locator(f'form[action="/admin/annuaire/{_entry_id(site, code)}/agents"]')
        form.locator('input[name="name"]').fill(name)
        form.locator('input[name="email"]').fill(email)
        form.locator('input[name="username"]').fill(username)
        form.locator("button[type=submit]").click()
        admin.wait_for_selector(f"text={name} ajouté(e).")
    denis = admin.locator(f'form[action="/admin/annuaire/agents/{_person_id(site, "Denis Déchets")}"]')
    denis.locator('input[name="absent_from"]').fill((today - timedelta(days=1)).isoformat())
    denis.locator('input[name="absent_until"]').fill((today + timedelta(days=7)).isoformat())
    denis.locator('select[name="substitute_id"]').select_option(str(_person_id(site, "Victor Voirie")))
    denis.locator("button[type=submit]").click()
    admin.wait_for_selector("text=Denis Déchets : enregistré.")
    assert "absent(e)" in admin.locator("tr", has_text="Denis Déchets").first.inner_text()

    admin.goto(f"{site.url}/admin/annuaire")
    copies = admin.locator('form[action="/admin/annuaire/copies"]')
    copies.locator('select[name="competence"]').select_option(EAU)
    copies.locator('select[name="entry_id"]').select_option(str(_entry_id(site, VOIRIE)))
    copies.locator("button[type=submit]").click()
    admin.wait_for_selector("text=Copie par défaut ajoutée")


def settle(site, clerk, items: dict[str, ItemRow]) -> None:
    """What the night left to review, the clerk routes on the item page (its competence key, then Enter)."""
    for name, row in items.items():
        if row.status == "routed" and row.competence == COMPETENCES[name]:
            continue
        clerk.goto(f"{site.url}/elements/{row.id}")
        clerk.keyboard.press(KEYS[COMPETENCES[name]])
        clerk.keyboard.press("Enter")
        clerk.wait_for_url(lambda url, item=row.id: f"/elements/{item}" not in url)


def mails_to(inbox, address: str) -> list:
    return [message for recipients, message in inbox.messages if address in recipients]


def body(message) -> str:
    return message.get_body(("plain",)).get_content()


def test_the_whole_circuit(tmp_path, model_dir, database_url, smtp_server, browser):
    smtp_port, inbox = smtp_server
    web_port = free_port()
    config = configure(tmp_path, model_dir, database_url, smtp_port, web_port)
    assert "Annuaire" in triage("migrate", "-c", str(config)).stdout  # the directory is seeded
    add_account(config, "admin", "--role", "admin")
    add_account(config, "courrier")
    assert "corbeille Direction de l'eau" in add_account(config, "eau", "--service", EAU, "--email", "anne@eau.test")
    add_account(config, "voirie", "--service", VOIRIE, "--email", "victor@voirie.test")

    with Site(config, web_port) as site:
        today = date.today()
        admin = sign_in(browser, site, "admin", "/file")
        fill_directory(site, admin, today)

        # 1. The night run routes the letters; the distribution gives a principal and the default copy.
        drop_letters(tmp_path / "inbox")
        assert "3 enregistrés" in triage("run", "-c", str(config), "--oneline").stdout
        clerk = sign_in(browser, site, "courrier", "/file")
        settle(site, clerk, _items(site))
        items = _items(site)
        fuite, egout, bac = items["fuite"].id, items["egout"].id, items["bac"].id
        for name, row in items.items():
            assert row.competence == COMPETENCES[name] and row.status in ("routed", "confirmed", "corrected"), name
        assert {c: d.role for c, d in _destinations(site, fuite).items()} == {EAU: "principal", VOIRIE: "copy"}
        assert {c: d.role for c, d in _destinations(site, bac).items()} == {DECHETS: "principal"}
        assert inbox.messages == []  # nothing urgent: the services hear of it when the review is done

        # 2. The mail team's button: one digest per service, links to the basket.
        clerk.goto(f"{site.url}/debrief")
        clerk.click("text=Revue terminée : prévenir les services")
        clerk.wait_for_url(f"{site.url}/debrief#prevenir")
        assert "Services prévenus par courrier" in clerk.inner_text("main")
        assert mails_to(inbox, "denis@dechets.test") == []  # away: his substitute has it
        [to_anne] = mails_to(inbox, "anne@eau.test")
        assert to_anne["Subject"].startswith("Courrier du ") and "Direction de l'eau" in to_anne["Subject"]
        links = re.findall(r"http://127\.0\.0\.1:\d+/corbeille/items/\d+", body(to_anne))
        assert sorted(links) == sorted(f"{site.url}/corbeille/items/{i}" for i in (fuite, egout))
        to_victor = {m["Subject"]: body(m) for m in mails_to(inbox, "victor@voirie.test")}
        assert len(to_victor) == 2  # the roads digest (a copy) and the absent Denis's waste digest
        waste = next(text for subject, text in to_victor.items() if "déchets" in subject)
        roads = next(text for subject, text in to_victor.items() if "déchets" not in subject)
        assert f"{site.url}/corbeille/items/{bac}" in waste and LETTERS["bac"][0] in waste, waste
        assert "en copie" in roads and f"{site.url}/corbeille/items/{fuite}" in roads
        assert all(d.notified_at for i in (fuite, egout, bac) for d in _destinations(site, i).values())

        # 3. The water agent opens the mail's link, signs in, lands on the letter; only its basket is hers.
        leak_link = f"{site.url}/corbeille/items/{fuite}"
        assert f'<a href="{leak_link}">' in to_anne.get_body(("html",)).get_content()
        anne = sign_in(browser, site, "eau", leak_link, start=leak_link)
        assert LETTERS["fuite"][0] in anne.inner_text("h1")
        anne.goto(f"{site.url}/corbeille")
        listed = anne.inner_text("#queue")
        assert items["fuite"].chrono in listed and items["egout"].chrono in listed
        assert items["bac"].chrono not in listed
        assert anne.goto(f"{site.url}/corbeille/items/{bac}").status == 404
        assert anne.goto(f"{site.url}/elements/{bac}").status == 403
        anne.goto(leak_link)
        anne.click("#take")
        anne.wait_for_selector("#taken")
        assert "Pris en charge par eau" in anne.inner_text("#taken")
        anne.fill("#answer-date", today.isoformat())
        anne.check('input[name="canal"][value="courrier"]')
        anne.click("#answer-form button[type=submit]")
        anne.wait_for_url(f"{site.url}/corbeille")
        assert "l'élément est traité" in anne.inner_text("main")
        anne.goto(f"{site.url}/corbeille/items/{fuite}")
        assert "Traité" in anne.inner_text(".item-head")
        answered = _destinations(site, fuite)[EAU]
        assert (answered.answer_date, answered.answer_channel, answered.answered_by) == (today, "courrier", "eau")
        assert _items(site)["fuite"].status == "handled"

        # 4. The other letter is not the water service's: sent back with a reason, back in the clerks' queue.
        anne.goto(f"{site.url}/corbeille/items/{egout}")
        anne.fill("#redirect-reason", REASON)
        anne.click("#redirect-form button[type=submit]")
        anne.wait_for_url(f"{site.url}/corbeille")
        assert "Renvoyé à l'équipe du courrier" in anne.inner_text("main")
        assert items["egout"].chrono not in anne.inner_text("main")  # the to-do tab is empty now
        assert anne.goto(f"{site.url}/corbeille/items/{egout}").status == 404
        assert _items(site)["egout"].status == "to_review"
        clerk.goto(f"{site.url}/file")
        assert items["egout"].chrono in clerk.inner_text("#queue")
        clerk.goto(f"{site.url}/elements/{egout}")
        assert f"Réorienté par Direction de l'eau et de l'assainissement : {REASON}" in clerk.inner_text("main")

        # 5 and 6. The roads agent stands in for Denis (his waste letter) and has the leak in copy.
        victor = sign_in(browser, site, "voirie", "/corbeille")
        assert items["bac"].chrono in victor.inner_text("#queue")
        assert items["fuite"].chrono not in victor.inner_text("#queue")
        victor.goto(f"{site.url}/corbeille/items/{bac}")
        victor.click("#take")
        victor.wait_for_selector("#taken")
        assert _destinations(site, bac)[DECHETS].taken_by == "voirie"
        victor.goto(f"{site.url}/corbeille?onglet=en-copie")
        assert items["fuite"].chrono in victor.inner_text("#queue")
        victor.goto(f"{site.url}/corbeille/items/{fuite}")
        assert "Reçu en copie" in victor.inner_text("aside")
        for page in (admin, clerk, anne, victor):
            page.context.close()
