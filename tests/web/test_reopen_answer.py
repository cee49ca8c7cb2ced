"""The mail team after a service's "répondu": the item page tells who answered, when and how, and reopening
puts the item back as it was before the answer, the answer withdrawn and kept in the audit trail."""
from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest

from pipeline.web.pages import day
from tests.web.basket_seed import PASSWORDS, route, seed_baskets
from tests.web.conftest import csrf_of, login

pytestmark = pytest.mark.parametrize("database_url", ["sqlite", "postgresql"], indirect=True)


@pytest.fixture
def entries(site):
    return seed_baskets(site)


def _rows(site, item_id: int):
    from pipeline.store.schema import ItemDestinationRow, ItemRow, ReviewEventRow
    with site.sessions() as session:
        item = session.get(ItemRow, item_id)
        principal = session.query(ItemDestinationRow).filter_by(item_id=item_id, role="principal").one()
        events = session.query(ReviewEventRow).filter_by(item_id=item_id).order_by(ReviewEventRow.id).all()
        return item, principal, events


def _answer(site, client, item_id: int, *, take: bool, on: date, channel: str = "telephone", note: str = ""):
    login(client, "eau", PASSWORDS["eau"])
    token = csrf_of(client.get(f"/corbeille/items/{item_id}").text)
    if take:
        client.post(f"/corbeille/items/{item_id}/prendre", data={"csrf_token": token})
    version = _rows(site, item_id)[0].version
    response = client.post(f"/corbeille/items/{item_id}/repondu", follow_redirects=False, data={
        "csrf_token": token, "version": str(version), "date_reponse": on.isoformat(), "canal": channel, "note": note})
    assert response.status_code == 303
    client.cookies.clear()


def _reopen(site, client, item_id: int):
    login(client, "agent")
    page = client.get(f"/elements/{item_id}").text
    return client.post(f"/elements/{item_id}/traite", data={
        "csrf_token": csrf_of(page), "version": str(_rows(site, item_id)[0].version), "traite": "0",
        "retour": f"/elements/{item_id}"})


def _today(site) -> date:
    return datetime.now(site.app.state.zone).date()


def test_clerks_item_page_shows_who_answered_when_and_how(site, client, entries):
    item = site.items[0]
    on = _today(site) - timedelta(days=2)
    _answer(site, client, item, take=True, on=on, note="Rappelée, intervention jeudi")
    login(client, "agent")
    page = client.get(f"/elements/{item}").text
    follow = page.split('id="suivi-services"')[1].split("</section>")[0]
    principal, copy = follow.split("<li>")[1:3]
    assert "Direction de l&#39;eau et de l&#39;assainissement</strong> · principal" in principal
    assert "pris en charge par eau le" in principal
    assert f"répondu le {day(on)}</strong> (téléphone) par eau, enregistré le" in principal
    assert "<blockquote>Rappelée, intervention jeudi</blockquote>" in principal
    assert "Direction de la gestion des déchets</strong> · copie" in copy and "pas encore lue" in copy
    assert "réponse enregistrée par Direction de l&#39;eau et de l&#39;assainissement" in page  # next to Rouvrir


def test_reopening_an_answer_taken_by_the_answer_itself(site, client, entries):
    item = site.items[0]  # routed, answered without a "prendre en charge" first
    _answer(site, client, item, take=False, on=_today(site), channel="courrier")
    assert _rows(site, item)[0].status == "handled"
    response = _reopen(site, client, item)
    assert response.status_code == 200 and "rouvert" in response.text
    stored, principal, events = _rows(site, item)
    assert stored.status == "routed"  # as before the answer, not "confirmed"
    assert (principal.answered_at, principal.answer_date, principal.answer_channel, principal.answered_by) == \
        (None, None, "", "")
    assert principal.taken_at is None and principal.taken_by == ""  # only the answer had taken it
    assert [e.action for e in events] == ["answered", "reopen"]
    reopen = events[-1]
    assert (reopen.user, reopen.before, reopen.after) == ("agent", {"status": "handled"}, {"status": "routed"})
    assert reopen.comment.startswith("Réponse retirée : Direction de l'eau et de l'assainissement : réponse du ")
    assert "(courrier) enregistrée par eau" in reopen.comment
    login(client, "eau", PASSWORDS["eau"])
    basket = client.get("/corbeille").text  # back in the service's "À traiter"
    assert '<span class="count">1</span>' in basket.split('id="onglet-a-traiter"')[1].split("</a>")[0]


def test_reopening_keeps_the_taking_and_the_status_before_the_answer(site, client, entries):
    item = site.items[3]  # addressed to nobody yet
    route(site.sessions, item, entries["eau"], status="corrected")  # a clerk's correction sent it there
    _answer(site, client, item, take=True, on=_today(site))
    _reopen(site, client, item)
    stored, principal, events = _rows(site, item)
    assert stored.status == "corrected" and principal.answered_at is None
    assert principal.taken_by == "eau" and principal.taken_at is not None  # it still has it in hand
    assert [e.action for e in events] == ["taken", "answered", "reopen"]


def test_an_answer_after_a_clerks_handled_reopens_to_the_status_before_both(site, client, entries):
    item = site.items[0]
    login(client, "agent")
    page = client.get(f"/elements/{item}").text
    client.post(f"/elements/{item}/traite", data={"csrf_token": csrf_of(page), "traite": "1",
                                                  "version": str(_rows(site, item)[0].version)})
    client.cookies.clear()
    _answer(site, client, item, take=False, on=_today(site))  # the service still records its answer
    _reopen(site, client, item)
    stored, principal, events = _rows(site, item)
    assert [e.action for e in events] == ["handled", "answered", "reopen"]
    assert stored.status == "routed" and principal.answered_at is None
