"""`triage status` shows the services' outbox: what waits, what failed and why, what is given up."""
from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

from pipeline.config import load_settings
from pipeline.ops.status import queue_status
from pipeline.store.database import open_database
from pipeline.store.schema import NotificationRow
from tests.notify_seed import entry
from tests.ops.conftest import triage, write_config

NOW = datetime(2026, 12, 3, 7, 0, tzinfo=timezone.utc)


def _outbox(database) -> None:
    with database() as session:
        water = entry(session, "eau_assainissement", "Eau et assainissement")
        rows = [("pending", 0, ""), ("pending", 0, ""), ("sent", 1, ""),
                ("failed", 5, "(535, b'5.7.8 Authentication credentials invalid')"),
                ("failed", 1, "[Errno 111] Connection refused")]
        for n, (status, attempts, error) in enumerate(rows):
            session.add(NotificationRow(kind="digest" if n != 3 else "escalation", key=f"k{n}", entry_id=water,
                                        recipient=f"agent{n}@eau.example.org", subject=f"Objet {n}", body="",
                                        item_ids=[], status=status, attempts=attempts, last_error=error,
                                        created_at=NOW + timedelta(minutes=n)))
        session.commit()


def test_status_lists_the_outbox_and_its_failures(tmp_path, model_dir, database_url):
    config = write_config(tmp_path, model_dir, database_url)
    database = open_database(database_url)
    _outbox(database)
    status = queue_status(load_settings(config), database)
    assert status.outbox == {"pending": 2, "sent": 1, "failed": 2} and status.outbox_given_up == 1
    assert [(m["recipient"], m["attempts"], m["given_up"]) for m in status.outbox_failed] == [
        ("agent4@eau.example.org", 1, False), ("agent3@eau.example.org", 5, True)]  # the most recent first

    out = triage("status", "-c", str(config)).stdout
    assert "Messages aux services : 2 en attente, 2 en échec (dont 1 abandonné(s) après 5 essais), 1 envoyé(s)" in out
    assert ("- récapitulatif pour Eau et assainissement <agent4@eau.example.org> : 1 essai(s), dernière erreur : "
            "[Errno 111] Connection refused") in out
    assert "- retard signalé au responsable pour Eau et assainissement <agent3@eau.example.org> : 5 essai(s) " \
           "(abandonné), dernière erreur : (535" in out
    listed = json.loads(triage("status", "-c", str(config), "--json").stdout)
    assert listed["outbox"]["failed"] == 2 and listed["outbox_failed"][0]["last_error"].endswith("refused")


def test_status_with_an_empty_outbox(tmp_path, model_dir, database_url):
    config = write_config(tmp_path, model_dir, database_url)
    open_database(database_url)
    out = triage("status", "-c", str(config)).stdout
    assert "Messages aux services : 0 en attente, 0 en échec, 0 envoyé(s)" in out and "essai(s)" not in out
