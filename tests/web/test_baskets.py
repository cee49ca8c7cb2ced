"""Ma corbeille: a service sees what was addressed to it, takes it, answers it or sends it back."""
from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest

from tests.web.basket_seed import PASSWORDS, absent, chrono_of, seed_baskets
from tests.web.conftest import csrf_of, login

pytestmark = pytest.mark.parametrize("database_url", ["sqlite", "postgresql"], indirect=True)


@pytest.fixture
def entries(site):
    return seed_baskets(site)


def _service_login(client, name: str):
    return login(client, name, PASSWORDS[name])


def _row(site, item_id: int, entry_id: int):
    from pipeline.store.schema import ItemDestinationRow
    with site.sessions() as session:
        return session.query(ItemDestinationRow).filter_by(item_id=item_id, entry_id=entry_id).one()


def _item(site, item_id: int):
    from pipeline.store.schema import ItemRow
    with site.sessions() as session:
        return session.get(ItemRow, item_id)


def _events(site, item_id: int) -> list[str]:
    from pipeline.store.schema import ReviewEventRow
    with site.sessions() as session:
        return [e.action for e in session.query(ReviewEventRow).filter_by(item_id=item_id).order_by(ReviewEventRow.id)]


def _today(site) -> date:
    return datetime.now(site.app.state.zone).date()


def test_service_account_lands_on_its_basket_and_sees_only_its_items(site, client, entries):
    response = _service_login(client, "eau")
    assert response.status_code == 303 and response.headers["location"] == "/corbeille"
    page = client.get("/corbeille")
    assert page.status_code == 200 and "Ma corbeille" in page.text
    assert chrono_of(site, site.items[0]) in page.text
    for other in site.items[1:]:
        assert chrono_of(site, other) not in page.text
    assert 'id="onglet-a-traiter" aria-current="page">À traiter <span class="count">1</span>' in page.text
    assert 'href="/file"' not in page.text  # no clerks' menu
    assert client.get("/").url.path == "/corbeille"
    assert client.get("/file", follow_redirects=False).headers["location"] == "/corbeille"


def test_take_then_answer_makes_the_item_handled(site, client, entries):
    item = site.items[0]
    _service_login(client, "eau")
    page = client.get(f"/corbeille/items/{item}")
    assert page.status_code == 200 and "Prendre en charge" in page.text and "Fuite d&#39;eau" in page.text
    assert "Direction de la gestion des déchets</strong> · copie" in page.text  # the destinations
    token = csrf_of(page.text)
    assert client.post(f"/corbeille/items/{item}/prendre", data={"csrf_token": token}).status_code == 200
    assert _row(site, item, entries["eau"]).taken_by == "eau"
    tabs = client.get("/corbeille").text
    assert '<span class="count">0</span>' in tabs.split('id="onglet-a-traiter"')[1].split("</a>")[0]
    assert "Pris en charge par eau" in client.get("/corbeille?onglet=pris-en-charge").text

    version = _item(site, item).version
    answered_on = _today(site) - timedelta(days=1)
    response = client.post(f"/corbeille/items/{item}/repondu", follow_redirects=False, data={
        "csrf_token": token, "version": str(version), "date_reponse": answered_on.isoformat(),
        "canal": "telephone", "note": "Rappelée, intervention demain"})
    assert response.status_code == 303 and response.headers["location"] == "/corbeille"
    row = _row(site, item, entries["eau"])
    assert (row.answer_date, row.answer_channel, row.answered_by) == (answered_on, "telephone", "eau")
    assert _item(site, item).status == "handled"
    assert _events(site, item) == ["taken", "answered"]
    answered = client.get("/corbeille?onglet=repondu").text
    assert chrono_of(site, item) in answered and "(téléphone)" in answered


def test_answer_in_the_future_or_without_channel_is_refused(site, client, entries):
    item = site.items[0]
    _service_login(client, "eau")
    token = csrf_of(client.get(f"/corbeille/items/{item}").text)
    version = str(_item(site, item).version)
    tomorrow = (_today(site) + timedelta(days=1)).isoformat()
    refused = client.post(f"/corbeille/items/{item}/repondu",
                          data={"csrf_token": token, "version": version, "date_reponse": tomorrow, "canal": "email"})
    assert "ne peut pas être dans le futur" in refused.text
    refused = client.post(f"/corbeille/items/{item}/repondu", data={
        "csrf_token": token, "version": version, "date_reponse": _today(site).isoformat(), "canal": "pigeon"})
    assert "choisissez comment la réponse a été faite" in refused.text
    assert _item(site, item).status == "routed" and _row(site, item, entries["eau"]).answered_at is None


def test_redirect_sends_the_item_back_to_the_clerks_queue_with_its_reason(site, client, entries):
    item = site.items[0]
    _service_login(client, "eau")
    token = csrf_of(client.get(f"/corbeille/items/{item}").text)
    version = str(_item(site, item).version)
    empty = client.post(f"/corbeille/items/{item}/reorienter", data={"csrf_token": token, "version": version,
                                                                     "motif": "   "})
    assert "indiquez pourquoi" in empty.text and _item(site, item).status == "routed"
    response = client.post(f"/corbeille/items/{item}/reorienter", follow_redirects=False, data={
        "csrf_token": token, "version": version, "motif": "La fuite est sur le réseau privé de la copropriété"})
    assert response.headers["location"] == "/corbeille"
    stored = _item(site, item)
    assert stored.status == "to_review"
    assert stored.review_reasons[-1] == ("Réorienté par Direction de l'eau et de l'assainissement : "
                                         "La fuite est sur le réseau privé de la copropriété")
    assert _events(site, item) == ["redirected"]
    row = _row(site, item, entries["eau"])
    assert row.redirected_by == "eau" and row.redirected_at is not None and "copropriété" in row.redirect_reason
    assert client.get(f"/corbeille/items/{item}").status_code == 404  # no longer in its basket

    client.cookies.clear()
    login(client, "agent")
    queue = client.get("/file").text
    assert chrono_of(site, item) in queue
    clerk_page = client.get(f"/elements/{item}").text
    assert "Réorienté par Direction de l&#39;eau et de l&#39;assainissement" in clerk_page
    assert "Réorienté par le service" in clerk_page  # the audit trail names the action


def test_a_copy_is_read_only_and_can_be_marked_read(site, client, entries):
    item = site.items[0]
    _service_login(client, "dechets")
    copies = client.get("/corbeille?onglet=en-copie").text
    assert chrono_of(site, item) in copies
    page = client.get(f"/corbeille/items/{item}").text
    assert "en copie" in page and 'id="answer-form"' not in page and 'id="redirect-form"' not in page
    token = csrf_of(page)
    version = str(_item(site, item).version)
    refused = client.post(f"/corbeille/items/{item}/repondu", data={
        "csrf_token": token, "version": version, "date_reponse": _today(site).isoformat(), "canal": "email"})
    assert "seul le service destinataire principal" in refused.text
    refused = client.post(f"/corbeille/items/{item}/reorienter",
                          data={"csrf_token": token, "version": version, "motif": "pas pour nous"})
    assert "seul le service destinataire principal" in refused.text
    assert _item(site, item).status == "routed"
    client.post(f"/corbeille/items/{item}/vu", data={"csrf_token": token})
    assert _row(site, item, entries["dechets"]).taken_by == "dechets"
    assert "Lue par dechets" in client.get(f"/corbeille/items/{item}").text


def test_substitute_reads_an_absent_colleagues_basket_only_during_the_absence(site, client, entries):
    today = _today(site)
    thise_item = site.items[2]
    _service_login(client, "eau")
    assert client.get(f"/corbeille/items/{thise_item}").status_code == 404
    absent(site.sessions, entries["thise"], entries["eau"], "eau", today - timedelta(days=2), today + timedelta(days=3))
    basket = client.get("/corbeille").text
    assert chrono_of(site, thise_item) in basket and "Mairie de Thise" in basket
    assert client.get(f"/corbeille/items/{thise_item}").status_code == 200
    token = csrf_of(basket)
    assert client.post(f"/corbeille/items/{thise_item}/prendre", data={"csrf_token": token}).status_code == 200
    assert _row(site, thise_item, entries["thise"]).taken_by == "eau"

    from pipeline.store.schema import DirectoryPersonRow
    with site.sessions() as session:
        session.query(DirectoryPersonRow).filter_by(name="Agent absent").update(
            {"absent_until": today - timedelta(days=1)})
        session.commit()
    assert client.get(f"/corbeille/items/{thise_item}").status_code == 404


def test_search_in_the_basket_finds_only_its_own_items(site, client, entries):
    _service_login(client, "eau")
    found = client.get("/corbeille?q=fuite").text
    assert chrono_of(site, site.items[0]) in found
    others = client.get("/corbeille?q=collecte").text  # the words of the other services' items
    assert "Rien dans votre corbeille ne correspond" in others
    for other in site.items[1:]:
        assert chrono_of(site, other) not in others
        by_number = client.get(f"/corbeille?q={chrono_of(site, other)}").text
        assert "Rien dans votre corbeille ne correspond" in by_number
        assert f"/corbeille/items/{other}" not in by_number


def test_admin_creates_a_service_account_bound_to_an_entry(site, client, entries):
    login(client, "admin")
    page = client.get("/admin/utilisateurs").text
    assert "Mairie de Thise (mairie)" in page and "Préfecture du Doubs" not in page  # administrations: no basket
    token = csrf_of(page)
    client.post("/admin/utilisateurs", data={"csrf_token": token, "username": "sans-corbeille",
                                             "password": "0123456789ab", "role": "service", "entree": ""})
    client.post("/admin/utilisateurs", data={"csrf_token": token, "username": "voirie-agent",
                                             "password": "0123456789ab", "role": "service",
                                             "entree": str(entries["dechets"]), "courriel": "voirie@example.org"})
    from pipeline.store.users import list_users
    with site.sessions() as session:
        accounts = {u.username: u for u in list_users(session)}
    assert "sans-corbeille" not in accounts
    assert accounts["voirie-agent"].entry_id == entries["dechets"] and accounts["voirie-agent"].email == \
        "voirie@example.org"
    refused = client.post(f"/admin/utilisateurs/{accounts['agent'].id}",
                          data={"csrf_token": token, "role": "service", "active": "1"})
    assert "rattaché à un service ou à une mairie" in refused.text


def test_cli_adds_a_service_account_by_its_directory_code(site, entries, monkeypatch):
    from typer.testing import CliRunner
    from cli import app
    monkeypatch.setenv("TRIAGE_DATABASE_URL", site.settings.database_url)
    monkeypatch.setenv("TRIAGE_DATA_DIR", str(site.settings.data_dir))
    runner = CliRunner()
    added = runner.invoke(app, ["users", "add", "mairie-thise", "--service", "25560", "--email", "m@thise.fr",
                                "--password-stdin"], input="un-mot-de-passe-long\n")
    assert added.exit_code == 0, added.output
    assert "corbeille Mairie de Thise" in added.output
    unknown = runner.invoke(app, ["users", "add", "x-y", "--service", "prefecture-doubs", "--password-stdin"],
                            input="un-mot-de-passe-long\n")
    assert unknown.exit_code == 10 and "aucun service ni mairie de code « prefecture-doubs »" in unknown.output
    from pipeline.store.users import list_users
    with site.sessions() as session:
        account = {u.username: u for u in list_users(session)}["mairie-thise"]
    assert account.role == "service" and account.entry_id == entries["thise"] and account.email == "m@thise.fr"


def test_a_redirect_is_a_routing_error_in_the_figures_and_the_clerks_new_routing_trains(site, client, entries):
    from pipeline.store.statistics import collect
    from pipeline.store.training import review_events_since, reviewed_examples
    item = site.items[0]
    _service_login(client, "eau")
    token = csrf_of(client.get(f"/corbeille/items/{item}").text)
    client.post(f"/corbeille/items/{item}/prendre", data={"csrf_token": token})
    client.post(f"/corbeille/items/{item}/reorienter", data={
        "csrf_token": token, "version": str(_item(site, item).version), "motif": "C'est la voirie"})
    with site.sessions() as session:
        figures = collect(session, site.settings, _today(site))
    assert [(c.chrono, c.field, c.after) for c in figures.corrections] == \
        [(chrono_of(site, item), "orientation", "réorienté : C'est la voirie")]
    assert review_events_since(site.sessions, None) == 1  # taking it labels nothing; sending it back does
    assert f"review:{chrono_of(site, item)}" not in [e.origin for e in reviewed_examples(site.sessions)]

    client.cookies.clear()
    login(client, "agent")
    page = client.get(f"/elements/{item}").text
    client.post(f"/elements/{item}/relecture", data={
        "csrf_token": csrf_of(page), "version": str(_item(site, item).version), "competence": "voirie",
        "commune": "25560", "retour": ""})
    assert _item(site, item).status == "corrected"
    examples = {e.origin: e.competence for e in reviewed_examples(site.sessions)}
    assert examples[f"review:{chrono_of(site, item)}"] == "voirie"


def test_a_changed_role_ends_the_accounts_open_sessions(site, client, entries):
    from fastapi.testclient import TestClient
    from pipeline.store.users import list_users, update_account
    _service_login(client, "eau")
    assert client.get("/corbeille").status_code == 200
    with site.sessions() as session:
        eau = next(u for u in list_users(session) if u.username == "eau")
        update_account(session, eau.id, "agent", True)
    response = client.get("/corbeille", follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"].startswith("/connexion")
    with TestClient(site.app) as again:
        _service_login(again, "eau")
        assert again.get("/file").status_code == 200  # a clerk now, with the clerks' pages
