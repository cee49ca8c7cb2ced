"""Times on both databases: stored as UTC instants, read back aware, shown in Europe/Paris (French format)."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from pipeline.store.schema import ItemRow
from tests.web.conftest import login
from tests.web.seed import email_bytes, email_item, store

pytestmark = pytest.mark.parametrize("database_url", ["sqlite", "postgresql"], indirect=True)


def test_email_received_at_0947_plus_0100_is_shown_at_0947(site, client):
    sent = datetime(2025, 3, 12, 9, 47, tzinfo=timezone(timedelta(hours=1)))
    [item_id] = store(site.sessions, site.settings.file_store_dir,
                      [email_item(email_bytes("Heure de réception", "Bonjour.", when=sent),
                                  competences=[("dechets", 0.5)], name="heure.eml")])
    with site.sessions() as session:
        stored = session.get(ItemRow, item_id).received_at
    assert stored.tzinfo is not None and stored == sent  # aware on SQLite too, the same instant
    assert stored.utcoffset() == timedelta(0)
    login(client, "agent")
    page = client.get(f"/elements/{item_id}").text
    assert "reçu le 12/03/2025 09:47" in page
    assert "12/03/2025 09:47" in client.get("/file", params={"q": "Heure de réception"}).text


def test_summer_time_is_two_hours_ahead_of_utc(site, client):
    sent = datetime(2025, 7, 1, 6, 5, tzinfo=timezone.utc)
    [item_id] = store(site.sessions, site.settings.file_store_dir,
                      [email_item(email_bytes("Heure d'été", "Bonjour.", when=sent),
                                  competences=[("dechets", 0.5)], name="ete.eml")])
    login(client, "agent")
    assert "reçu le 01/07/2025 08:05" in client.get(f"/elements/{item_id}").text
