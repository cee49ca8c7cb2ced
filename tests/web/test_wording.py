"""What a clerk reads: why an item waits, in their words; service names without placeholders."""
from __future__ import annotations

import pytest

from pipeline.web.wording import clerk_reason, service_name
from tests.web.conftest import login

LABELS = {"voirie": "Voirie et espaces publics"}.get


@pytest.mark.parametrize("stored, said", [
    ("confiance du classement faible (42% < 42%)", "Le classement hésite (sûr à 42 % seulement)"),
    ("le modèle n'atteint pas la précision visée pour « voirie » : vérification systématique",
     "Les courriers « Voirie et espaces publics » sont toujours relus"),
    ("administration compétente non reconnue : à choisir", "choisissez-la (touche a)"),
    ("lecture OCR peu fiable (confiance 38 %)", "Le scan est difficile à lire (lecture sûre à 38 %)"),
])
def test_stored_reasons_read_as_a_clerk_says_them(stored, said):
    assert said in clerk_reason(stored, LABELS)
    assert "<" not in clerk_reason(stored, LABELS)


def test_service_names_lose_their_placeholders():
    assert service_name("Autre administration : {administration}", "Autre administration") == "Autre administration"


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_item_page_says_why_and_services_page_has_no_braces(site, client):
    login(client, "agent")
    page = client.get(f"/elements/{site.items[0]}").text
    assert "Pourquoi il vous attend" in page and "Confiance du classement faible" in page
    assert "· modèle test" not in page  # the model version is in the audit trail, not in every header
    assert "{administration}" not in client.get("/services").text
