"""Reviewing through HTTP on SQLite and PostgreSQL: audit trail, two clerks on one item, bulk, services, search."""
from __future__ import annotations

import re

from sqlalchemy import select

from pipeline.store.schema import ItemRow, ReviewEventRow
from tests.web.conftest import csrf_of, login


def _form(client, item_id):
    html = client.get(f"/elements/{item_id}").text
    return csrf_of(html), int(re.search(r'name="version" value="(\d+)"', html).group(1))


def _events(site, item_id):
    with site.sessions() as session:
        return list(session.execute(select(ReviewEventRow).where(ReviewEventRow.item_id == item_id)
                                    .order_by(ReviewEventRow.id)).scalars())


def test_correction_is_stored_with_its_audit_trail_and_moves_to_the_next_item(site, client):
    login(client, "agent")
    leak, following = site.items[0], site.items[1]
    token, version = _form(client, leak)
    response = client.post(f"/elements/{leak}/relecture", follow_redirects=False,
                           data={"csrf_token": token, "version": version, "competence": "voirie", "commune": "HORS",
                                 "urgent": "1", "comment": "chaussée, pas réseau d'eau", "retour": ""})
    assert response.status_code == 303
    assert response.headers["location"].startswith(f"/elements/{following}")
    with site.sessions() as session:
        row = session.get(ItemRow, leak)
        assert (row.status, row.competence, row.commune, row.urgent) == ("corrected", "voirie", "HORS", True)
        assert row.destination == "Direction de la voirie et des espaces publics"
        assert row.version == version + 1
    [event] = _events(site, leak)
    assert (event.user, event.action, event.comment) == ("agent", "correct", "chaussée, pas réseau d'eau")
    assert event.before["competence"] == "eau_assainissement" and event.after["competence"] == "voirie"
    assert event.before["commune"] == "25560" and event.after["commune"] == "HORS"
    page = client.get(f"/elements/{leak}").text
    assert "Correction" in page and "Voirie et espaces publics" in page and "Hors territoire" in page


def test_comment_with_markup_is_shown_as_text(site, client):
    login(client, "agent")
    token, version = _form(client, site.items[1])
    client.post(f"/elements/{site.items[1]}/relecture", data={
        "csrf_token": token, "version": version, "competence": "dechets", "commune": "AUCUNE", "retour": "",
        "comment": "<script>alert('commentaire')</script><img src=x onerror=alert(1)>"})
    page = client.get(f"/elements/{site.items[1]}").text
    assert "&lt;script&gt;alert(&#39;commentaire&#39;)&lt;/script&gt;" in page
    assert "<img src=x" not in page


def test_second_clerk_on_the_same_item_gets_a_clear_message_and_nothing_is_overwritten(site, client):
    from fastapi.testclient import TestClient
    item = site.items[0]
    login(client, "agent")
    with TestClient(site.app) as other:
        login(other, "agent2")
        token1, version1 = _form(client, item)
        token2, version2 = _form(other, item)
        assert version1 == version2
        first = client.post(f"/elements/{item}/relecture", follow_redirects=False,
                            data={"csrf_token": token1, "version": version1, "competence": "voirie",
                                  "commune": "25560", "retour": ""})
        assert first.status_code == 303
        second = other.post(f"/elements/{item}/relecture", follow_redirects=False,
                            data={"csrf_token": token2, "version": version2, "competence": "dechets",
                                  "commune": "AUCUNE", "retour": ""})
    assert second.status_code == 409
    assert "Modification concurrente" in second.text
    assert "modifié par <strong>agent</strong>" in second.text
    assert "pas</strong> été enregistrées" in second.text
    with site.sessions() as session:
        assert session.get(ItemRow, item).competence == "voirie"
    assert [e.user for e in _events(site, item)] == ["agent"]


def test_confirming_without_change_is_a_confirmation(site, client):
    login(client, "agent")
    item = site.items[1]
    token, version = _form(client, item)
    client.post(f"/elements/{item}/relecture", data={"csrf_token": token, "version": version,
                                                     "competence": "dechets", "commune": "AUCUNE", "retour": ""})
    with site.sessions() as session:
        assert session.get(ItemRow, item).status == "confirmed"
    assert [e.action for e in _events(site, item)] == ["confirm"]


def test_bulk_confirm_only_touches_items_to_review_above_the_threshold(site, client):
    login(client, "agent")
    dialog = client.get("/file/confirmer-en-lot", params={"seuil": "50", "retour": ""}).text
    assert "Confirmer en lot : 1 élément" in dialog and "Fuite d&#39;eau devant chez moi" in dialog
    ids = re.findall(r'name="element" value="(\d+)"', dialog)
    assert ids == [str(site.items[0])]
    response = client.post("/file/confirmer-en-lot", data={"csrf_token": csrf_of(dialog), "seuil": "50",
                                                           "retour": "", "element": ids})
    assert "1 élément confirmé en lot" in response.text
    with site.sessions() as session:
        statuses = {row.id: row.status for row in session.execute(select(ItemRow)).scalars()}
    assert statuses[site.items[0]] == "confirmed"  # 52 %
    assert all(statuses[i] == "to_review" for i in site.items[1:])  # 48 %
    [event] = _events(site, site.items[0])
    assert event.action == "bulk_confirm" and event.user == "agent"


def test_service_marks_handled_and_can_reopen(site, client):
    login(client, "agent")
    item = site.items[0]
    token, version = _form(client, item)
    client.post(f"/elements/{item}/relecture", data={"csrf_token": token, "version": version,
                                                     "competence": "eau_assainissement", "commune": "25560",
                                                     "retour": ""})
    listing = client.get("/services/eau_assainissement").text
    assert "Fuite d&#39;eau devant chez moi" in listing
    value = re.search(r'name="seul" value="([^"]+)"', listing).group(1)
    client.post("/services/traiter", data={"csrf_token": token, "seul": value, "retour": "/services/eau_assainissement"})
    with site.sessions() as session:
        assert session.get(ItemRow, item).status == "handled"
    assert "Fuite d&#39;eau" in client.get("/services/eau_assainissement?vue=traites").text
    stale = client.post("/services/traiter", data={"csrf_token": token, "seul": value, "retour": "/services"})
    assert "modifié(s) entre-temps" in stale.text
    token, version = _form(client, item)
    client.post(f"/elements/{item}/traite", data={"csrf_token": token, "version": version, "traite": "0",
                                                  "retour": f"/elements/{item}"})
    with site.sessions() as session:
        assert session.get(ItemRow, item).status == "confirmed"
    assert [e.action for e in _events(site, item)] == ["confirm", "handled", "reopen"]


def test_full_text_search_finds_words_of_the_body_sender_and_subject(site, client):
    login(client, "agent")
    assert "Fuite d&#39;eau devant chez moi" in client.get("/file?q=vergers").text
    assert "Fuite d&#39;eau devant chez moi" in client.get("/file?q=jeanne").text
    assert "Fuite d&#39;eau devant chez moi" in client.get("/file?q=fuit").text  # a prefix
    assert "Demande 2" not in client.get("/file?q=vergers").text
    assert "0 élément" in client.get("/file?q=introuvablemot").text


def test_filters_and_pagination(site, client):
    login(client, "agent")
    site.app.state.settings.web.page_size = 2
    first = client.get("/file?statut=tous").text
    assert "page 1 sur 2" in first
    assert "Page 1 sur 2" in first
    assert "4 éléments" in first
    assert "1 élément" in client.get("/file?commune=25560").text
    assert "Fuite" not in client.get("/file?competence=dechets").text


def test_next_item_walks_the_whole_view_in_queue_order(site):
    """Urgent first, then nearest due date (a missing one included), then registration order."""
    from datetime import date
    from zoneinfo import ZoneInfo

    from sqlalchemy import update

    from pipeline.store import queue as store
    from pipeline.store.queue import Position, Searching
    dues = [date(2027, 1, 5), None, date(2027, 1, 5), date(2026, 12, 24)]
    with site.sessions() as session:
        for item_id, due, urgent in zip(site.items, dues, [False, False, True, False]):
            session.execute(update(ItemRow.__table__).where(ItemRow.__table__.c.id == item_id)
                            .values(due_date=due, urgent=urgent))
        session.commit()
        how, view = Searching("like", ZoneInfo("Europe/Paris")), store.QueueView(status=store.ALL)
        expected = [row.id for row in session.execute(select(ItemRow.id).order_by(*store.ORDER))]
        assert expected[0] == site.items[2]  # the urgent one
        walked = [expected[0]]
        while len(walked) < len(expected):
            current = session.get(ItemRow, walked[-1])
            position = Position(current.id, current.urgent, current.due_date)
            walked.append(store.next_item_id(session, view, how, position, exclude=current.id))
        assert walked == expected
        last = session.get(ItemRow, walked[-1])
        assert store.next_item_id(session, view, how, Position(last.id, last.urgent, last.due_date),
                                  exclude=last.id) == expected[0]  # wraps
