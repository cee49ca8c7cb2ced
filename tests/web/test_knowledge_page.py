"""The "Qui fait quoi" page: everyone reads the book, admins edit it, every edit is a version with its history."""
from __future__ import annotations

import pytest

from pipeline.store import knowledge as store
from tests.web.conftest import csrf_of, login

pytestmark = pytest.mark.parametrize("database_url", ["sqlite", "postgresql"], indirect=True)


def test_clerks_read_the_book_but_cannot_edit_it(site, client):
    login(client, "agent")
    page = client.get("/qui-fait-quoi")
    assert page.status_code == 200
    assert "Cantine scolaire : compétence de la commune" in page.text
    assert "Conseil départemental du Doubs" in page.text
    assert 'href="/qui-fait-quoi"' in page.text and "Modifier" not in page.text
    assert client.get("/qui-fait-quoi/commune/0").status_code == 403
    refused = client.post("/qui-fait-quoi/commune/0", data={"csrf_token": csrf_of(page.text), "version": "1",
                                                             "topic": "x", "words": "x"})
    assert refused.status_code == 403
    with site.sessions() as session:
        assert store.current(session).number == 1


def test_an_admin_edit_is_a_new_version_shown_in_the_history_and_restorable(site, client):
    login(client, "admin")
    page = client.get("/qui-fait-quoi/commune/0")
    assert "Mots décisifs" in page.text and "cantine" in page.text
    token = csrf_of(page.text)
    saved = client.post("/qui-fait-quoi/commune/0", data={
        "csrf_token": token, "version": "1", "topic": "Cantine et restauration scolaire",
        "words": "cantine\nrestauration scolaire\nself du collège communal", "unless": "",
        "explanation": "Cantine : la mairie", "decides": "1", "note": "ajout du self"})
    assert "Version 2 enregistrée" in saved.text
    assert "self du collège communal" in saved.text and "Cantine : la mairie" in saved.text
    history = client.get("/qui-fait-quoi/historique")
    assert "ajout du self" in history.text and "mots ajoutés : self du collège communal" in history.text
    assert "mots retirés : cantine scolaire" in history.text
    stale = client.post("/qui-fait-quoi/commune/0", data={"csrf_token": token, "version": "1", "topic": "Cantine",
                                                          "words": "cantine", "decides": "1"})
    assert "a enregistré une autre version pendant que vous modifiiez" in stale.text
    old = client.get("/qui-fait-quoi/versions/1")
    assert "pas la version en vigueur" in old.text and "Cantine scolaire : compétence de la commune" in old.text
    restored = client.post("/qui-fait-quoi/versions/1/restaurer", data={"csrf_token": token, "version": "2"})
    assert "Version 3 enregistrée" in restored.text
    with site.sessions() as session:
        current = store.current(session)
        assert current.number == 3 and current.author == "admin" and "restauration de la version 1" in current.note
        assert current.content == store.version(session, 1).content


def test_a_topic_without_words_or_with_an_unknown_competence_is_refused(site, client):
    login(client, "admin")
    token = csrf_of(client.get("/qui-fait-quoi").text)
    empty = client.post("/qui-fait-quoi/commune/0", data={"csrf_token": token, "version": "1", "topic": "Cantine",
                                                          "words": " ", "decides": "1"}, follow_redirects=True)
    assert "au moins un mot décisif" in empty.text
    added = client.post("/qui-fait-quoi/caf/1", data={"csrf_token": token, "version": "1", "topic": "Aide au BAFA",
                                                      "words": "bafa", "explanation": "BAFA : CAF"})
    assert "Version 2 enregistrée" in added.text and "Aide au BAFA" in added.text
    with site.sessions() as session:
        assert store.current(session).number == 2


def test_the_item_page_shows_what_the_book_says_about_the_letter(site, client):
    login(client, "agent")
    page = client.get(f"/elements/{site.items[0]}")  # a water leak in Thise
    assert page.status_code == 200
    assert 'id="knowledge-title"' in page.text
    assert "Eau potable, compteurs et factures" in page.text and "« Fuite d&#39;eau »" in page.text
