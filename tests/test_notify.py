"""The services' emails against a real SMTP server on loopback (aiosmtpd): digests once, urgent at once,
reminders and escalations on the right working days, substitutes, failures retried and reported."""
from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import replace
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import pytest
from sqlalchemy import select

from pipeline.config import load_settings
from pipeline.notify.send import after_run, notify
from pipeline.store.database import open_database
from pipeline.store.schema import DirectoryEntryRow, ItemDestinationRow, NotificationRow
from tests.conftest import ROOT
from tests.ops.conftest import Inbox, free_port
from tests.notify_seed import destination, entry, item, person

MORNING = datetime(2026, 12, 3, 9, 30, tzinfo=timezone.utc)  # a Thursday


def to(inbox, address: str) -> list:
    return [m for rcpt, m in inbox.messages if address in rcpt]


def start_smtp(port: int):
    from aiosmtpd.controller import Controller
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    return controller, inbox


@pytest.fixture
def smtp():
    controller, inbox = start_smtp(free_port())
    yield controller.port, inbox
    controller.stop()


def settings_for(tmp_path: Path, database_url: str, port: int, **notify_settings):
    return load_settings(ROOT / "config/triage.toml", database_url=database_url, data_dir=tmp_path / "var",
                         folders=[], smtp={"host": "127.0.0.1", "port": port, "security": "none",
                                           "sender": "courrier@test.local"},
                         notify={"base_url": "https://triage.test", "digest_hour": 11, **notify_settings})


@pytest.fixture
def sessions(database_url):
    database = open_database(database_url)
    yield database
    database.kw["bind"].dispose()


def subject(message) -> str:
    return " ".join(message["Subject"].split())  # unfolded, as a mail client shows it


def body(message) -> str:
    return message.get_body(("plain",)).get_content()


def seed_two_services(sessions):
    """Water: two agents, one away (his substitute works at Roads); Thise town hall: only its address."""
    with sessions() as s:
        water = entry(s, "eau_assainissement", "Direction de l'eau", email="eau@test.local")
        roads = entry(s, "voirie", "Direction de la voirie")
        thise = entry(s, "25560", "Mairie de Thise", kind="mairie", email="mairie@thise.test")
        stand_in = person(s, roads, "Chloé Suppléante", "chloe@test.local")
        person(s, water, "Anne Présente", "anne@test.local")
        person(s, water, "Bruno Absent", "bruno@test.local", absent=(date(2026, 12, 1), date(2026, 12, 4)),
               substitute_id=stand_in)
        leak = item(s, 1, subject="Fuite rue des Vergers", due=date(2027, 1, 30),
                    received=datetime(2026, 11, 30, 23, 30, tzinfo=timezone.utc))  # 1 December in Paris
        destination(s, leak, water)
        destination(s, leak, thise, role="copy")
        destination(s, item(s, 2, subject="Salle des fêtes", status="confirmed"), thise)
        destination(s, item(s, 3, subject="Pas encore vérifié", status="to_review"), water)
        prefecture = entry(s, "prefecture-doubs", "Préfecture du Doubs", kind="administration", email="pref@test.local")
        destination(s, leak, prefecture, role="copy")  # transmitted by letter: no mail of ours
        s.commit()
        return water, thise


def test_digest_goes_once_to_the_agents_the_substitute_and_the_town_hall(tmp_path, database_url, sessions, smtp):
    port, inbox = smtp
    settings = settings_for(tmp_path, database_url, port)
    seed_two_services(sessions)
    outcome = notify(settings, sessions, digest=True, now=MORNING)
    assert outcome.sent == 3 and outcome.planned.queued == {"digest": 3} and not outcome.failing
    assert sorted(r for rcpt, _ in inbox.messages for r in rcpt) == ["anne@test.local", "chloe@test.local",
                                                                    "mairie@thise.test"]
    assert to(inbox, "bruno@test.local") == []  # away: his substitute reads it
    water_mail = to(inbox, "chloe@test.local")[0]
    assert subject(water_mail) == "Courrier du 03/12/2026 pour Direction de l'eau : 1 nouvel élément"
    text = body(water_mail)
    assert "A-2026-000001 : Fuite rue des Vergers" in text and "reçu le 01/12/2026" in text and "https://triage.test/corbeille/items/1" in text
    assert "A-2026-000003" not in text  # not yet checked by a clerk: not told
    assert '<a href="https://triage.test/corbeille/items/1">' in water_mail.get_body(("html",)).get_content()
    town_hall = body(to(inbox, "mairie@thise.test")[0])
    assert "Salle des fêtes" in town_hall and "Pour information, en copie (1)" in town_hall
    assert town_hall.index("Salle des fêtes") < town_hall.index("Fuite rue des Vergers")  # principal first
    with sessions() as s:
        told = s.execute(select(DirectoryEntryRow.kind, ItemDestinationRow.notified_at)
                         .join(DirectoryEntryRow, DirectoryEntryRow.id == ItemDestinationRow.entry_id)
                         .where(ItemDestinationRow.item_id.in_([1, 2]))).all()
        assert sorted(told, key=str) == [("administration", None), ("mairie", MORNING), ("mairie", MORNING),
                                         ("service", MORNING)]

    again = notify(settings, sessions, digest=True, now=MORNING + timedelta(hours=1))
    assert again.sent == 0 and again.planned.queued == {} and len(inbox.messages) == 3


def test_urgent_items_go_at_once_and_not_again_in_the_digest(tmp_path, database_url, sessions, smtp):
    port, inbox = smtp
    settings = settings_for(tmp_path, database_url, port)
    with sessions() as s:
        water = entry(s, "eau_assainissement", "Direction de l'eau", email="eau@test.local")
        destination(s, item(s, 1, subject="Inondation cave", urgent=True), water)
        destination(s, item(s, 2, subject="Compteur"), water)
        s.commit()
    after_run(settings, sessions, dry_run=True)  # the end of `triage run --dry-run`: nothing
    assert inbox.messages == []
    after_run(settings, sessions, dry_run=False)  # the end of `triage run`: the urgent item only
    [(rcpt, urgent)] = inbox.messages
    assert rcpt == ["eau@test.local"] and subject(urgent).startswith("URGENT — A-2026-000001")
    notify(settings, sessions, now=MORNING.replace(hour=11, minute=5))  # cron, from the digest hour
    digest = body(inbox.messages[1][1])
    assert "Compteur" in digest and "Inondation" not in digest
    assert notify(settings, sessions, now=MORNING.replace(hour=11, minute=20)).planned.queued == {}


def test_reminders_and_escalations_on_working_days(tmp_path, database_url, sessions, smtp):
    port, inbox = smtp
    settings = settings_for(tmp_path, database_url, port, reminder_days=3)
    with sessions() as s:
        water = entry(s, "eau_assainissement", "Direction de l'eau", email="eau@test.local")
        roads = entry(s, "voirie", "Direction de la voirie", email="voirie@test.local", head_email="chef.voirie@test.local")
        person(s, water, "Anne Agent", "anne@test.local")
        person(s, water, "Hervé Chef", "herve@test.local", is_head=True)
        told = dict(notified_at=MORNING - timedelta(days=30))
        # Wednesday 23 December: three working days later is Tuesday 29 (25 December is a public holiday).
        destination(s, item(s, 1, subject="Dû le 29", due=date(2026, 12, 29)), water, **told)
        destination(s, item(s, 2, subject="Dû le 30", due=date(2026, 12, 30)), water, **told)
        destination(s, item(s, 3, subject="En retard", due=date(2026, 12, 22)), water, **told)
        destination(s, item(s, 4, subject="Répondu à temps", due=date(2026, 12, 21)), water,
                    answered_at=MORNING, answer_date=date(2026, 12, 3), answer_channel="courrier", **told)
        destination(s, item(s, 5, subject="En retard voirie", due=date(2026, 12, 10)), roads, **told)
        destination(s, item(s, 6, subject="Copie en retard", due=date(2026, 12, 10)), roads, role="copy", **told)
        s.commit()
    wednesday = datetime(2026, 12, 23, 7, 0, tzinfo=timezone.utc)
    outcome = notify(settings, sessions, now=wednesday)
    assert outcome.planned.queued == {"reminder": 2, "escalation": 2}  # the reminder to both agents
    [reminder] = to(inbox, "anne@test.local")
    assert "Dû le 29" in body(reminder) and "Dû le 30" not in body(reminder)
    assert subject(reminder) == "Rappel : 1 courrier de Direction de l'eau à échéance le 29/12/2026"
    [late] = [m for m in to(inbox, "herve@test.local") if subject(m).startswith("Échéance dépassée")]
    assert "En retard" in body(late) and "en retard de 1 jour(s)" in body(late) and "Dû le 29" not in body(late)
    [roads_late] = to(inbox, "chef.voirie@test.local")  # no head among the agents: the entry's head address
    assert "En retard voirie" in body(roads_late) and "Copie en retard" not in body(roads_late)
    assert notify(settings, sessions, now=wednesday + timedelta(hours=2)).planned.queued == {}
    after_christmas = notify(settings, sessions, now=datetime(2026, 12, 24, 7, 0, tzinfo=timezone.utc))
    assert after_christmas.planned.queued == {"reminder": 2}  # the 30th is now within three working days
    assert "Dû le 30" in body(inbox.messages[-1][1])


def test_server_down_fails_then_is_retried_after_the_wait(tmp_path, database_url, sessions):
    port = free_port()  # nothing listens yet
    settings = settings_for(tmp_path, database_url, port, backoff_minutes=10, max_attempts=3)
    seed_two_services(sessions)
    down = notify(settings, sessions, digest=True, now=MORNING)
    # The first message finds no server: the two others are not tried (each would wait), they stay pending.
    assert down.sent == 0 and len(down.failed_now) == 1 and len(down.failing) == 1
    [failed] = down.failing
    assert failed.attempts == 1 and "envoi impossible par 127.0.0.1" in failed.last_error
    with sessions() as s:
        assert sorted(s.scalars(select(NotificationRow.status))) == ["failed", "pending", "pending"]
    controller, inbox = start_smtp(port)
    try:
        too_soon = notify(settings, sessions, now=MORNING + timedelta(minutes=5))
        assert too_soon.sent == 2 and failed.recipient not in [r for rcpt, _ in inbox.messages for r in rcpt]
        back = notify(settings, sessions, now=MORNING + timedelta(minutes=11))  # its 10 minutes are over
        assert back.sent == 1 and back.failing == [] and len(inbox.messages) == 3
    finally:
        controller.stop()
    with sessions() as s:
        rows = s.scalars(select(NotificationRow)).all()
        assert sorted((r.status, r.attempts) for r in rows) == [("sent", 1), ("sent", 1), ("sent", 2)]


TRIAGE = str(Path(sys.executable).parent / "triage")


def triage(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([TRIAGE, *args], capture_output=True, text=True, timeout=120, cwd=ROOT,
                          env={**os.environ, "COLUMNS": "200"})


def test_triage_notify_reports_failures_and_sends_nothing_twice(tmp_path, sessions, smtp, database_url):
    if not database_url.startswith("sqlite"):
        pytest.skip("the command line once is enough")
    port, inbox = smtp
    dead = free_port()
    seed_two_services(sessions)
    config = tmp_path / "triage.toml"

    def write(smtp_port: int) -> None:
        config.write_text(f'database_url = "{database_url}"\ndata_dir = "{tmp_path / "var"}"\n'
                          f'[smtp]\nhost = "127.0.0.1"\nport = {smtp_port}\nsecurity = "none"\n'
                          f'[notify]\nbase_url = "https://triage.test"\nbackoff_minutes = 0\n', encoding="utf-8")

    write(dead)
    failed = triage("notify", "--digest", "--config", str(config))
    assert failed.returncode == 6, failed.stderr
    assert "En échec : 1 message(s)" in failed.stderr and "anne@test.local (Direction de l'eau)" in failed.stderr
    write(port)
    retried = triage("notify", "--config", str(config))
    assert retried.returncode == 0, retried.stderr
    assert "Envoyés : 3." in retried.stdout and len(inbox.messages) == 3
    again = triage("notify", "--digest", "--config", str(config))
    assert again.returncode == 0 and "aucun nouveau" in again.stdout and len(inbox.messages) == 3


def test_a_key_inserted_meanwhile_by_another_process_is_skipped_and_the_rest_kept(sessions):
    from pipeline.notify import Mail
    from pipeline.store import notifications
    mail = Mail("digest", "digest:1:abc:anne@test.local", None, "anne@test.local", "Objet", "Corps", (1,))
    with sessions() as first:
        assert notifications.enqueue(first, mail, MORNING) and not notifications.enqueue(first, mail, MORNING)
        first.commit()
    with sessions() as second:
        second.scalar = lambda *args, **kwargs: None  # as if its look came before the other's commit
        assert notifications.enqueue(second, mail, MORNING) is False
        assert notifications.enqueue(second, replace(mail, key="digest:1:def:anne@test.local"), MORNING)
        second.commit()
    with sessions() as s:
        assert sorted(s.scalars(select(NotificationRow.key))) == ["digest:1:abc:anne@test.local",
                                                                  "digest:1:def:anne@test.local"]
