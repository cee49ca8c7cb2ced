"""Letters on the page: listed, completed, printed as PDF, marked sent, shown on their item."""
from __future__ import annotations

import re

import pytest

from pipeline.store.schema import LetterRow
from tests.web.conftest import csrf_of, login
from tests.web.standup_seed import seed

pytestmark = pytest.mark.parametrize("database_url", ["sqlite", "postgresql"], indirect=True)


def test_a_clerk_completes_prints_and_marks_a_letter_sent(site, client):
    ids = seed(site.sessions)
    login(client, "agent")
    listing = client.get("/courriers").text
    [letter_id] = re.findall(r'href="/courriers/(\d+)"', listing)
    assert "Accusé de réception" in listing and "u502@example.org" in listing
    page = client.get(f"/courriers/{letter_id}").text
    saved = client.post(f"/courriers/{letter_id}", data={
        "csrf_token": csrf_of(page), "destinataire": "Usager 502\n12 rue des Vignes\n25000 Besançon", "courriel": "",
        "objet": "Accusé de réception de votre courrier", "texte": "Madame, Monsieur,\nNous avons bien reçu…"})
    assert "Lettre n° " in saved.text and "enregistrée" in saved.text
    with site.sessions() as session:
        row = session.get(LetterRow, int(letter_id))
        assert (row.channel, row.subject) == ("courrier", "Accusé de réception de votre courrier")
    pdf = client.get(f"/courriers/{letter_id}/lettre.pdf")
    assert pdf.headers["content-type"] == "application/pdf" and pdf.content.startswith(b"%PDF")
    unconfirmed = client.post(f"/courriers/{letter_id}/envoyee", data={"csrf_token": csrf_of(page)})
    assert "Cochez" in unconfirmed.text
    done = client.post(f"/courriers/{letter_id}/envoyee", data={"csrf_token": csrf_of(page), "confirmation": "oui"})
    assert "enregistrée comme envoyée par agent" in done.text
    with site.sessions() as session:
        assert (session.get(LetterRow, int(letter_id)).status, session.get(LetterRow, int(letter_id)).sent_by) == \
            ("sent", "agent")
    item = client.get(f"/elements/{ids['sat']}").text
    assert f'href="/courriers/{letter_id}"' in item and "envoyée le" in item
    assert "Aucune lettre" in client.get("/courriers?etat=draft").text
