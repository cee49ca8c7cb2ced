"""Letters owed under the CRPA: which items get which letter, their text, PDF, sending and its tracking."""
from __future__ import annotations

from datetime import date
from pathlib import Path

from pypdf import PdfReader

from pipeline.config import load_settings
from pipeline.letters import draft_letters, list_letters, mark_sent
from pipeline.letters.send import send_letters
from pipeline.store.database import open_database
from pipeline.store.files import FileStore
from tests.ops.conftest import smtp_section, write_config
from tests.ops.seed import seed

PREFECTURE = '[letters.authority_contacts."Préfecture du Doubs (ANTS)"]\naddress = "8 bis rue Charles Nodier, 25035 Besançon Cedex"\nemail = "courrier@doubs.gouv.fr"\n'


def settings_for(tmp_path, model_dir, url, port=None):
    extra = PREFECTURE + (smtp_section(port) if port else "")
    return load_settings(write_config(tmp_path, model_dir, url, extra=extra))


def test_letters_drafted_per_item_once(tmp_path, model_dir, database_url):
    settings = settings_for(tmp_path, model_dir, database_url)
    database = open_database(database_url)
    seed(database, FileStore(settings.file_store_dir))
    drafted = draft_letters(settings, database, since=date(2026, 11, 1), today=date(2026, 11, 24))
    assert sorted((l.chrono, l.kind, l.channel) for l in drafted) == [
        ("A-2026-000090", "accuse_reception", "courrier"),
        ("A-2026-000101", "accuse_reception", "email"),
        ("A-2026-000102", "accuse_reception", "email"),
        ("A-2026-000104", "accuse_reception", "courrier"),
        ("A-2026-000106", "avis_transmission", "email"),
        ("A-2026-000106", "transmission", "email"),  # the prefecture's address is configured
        ("A-2026-000107", "accuse_reception", "courrier"),
        ("A-2026-000108", "accuse_reception", "email"),
        ("A-2026-000109", "accuse_reception", "email"),
    ]  # none for items still to review (routing not settled) nor handled ones
    assert draft_letters(settings, database, since=date(2026, 11, 1), today=date(2026, 11, 24)) == []


def test_acknowledgement_states_dates_service_and_appeal_routes(tmp_path, model_dir):
    settings = settings_for(tmp_path, model_dir, f"sqlite:///{tmp_path / 't.sqlite'}")
    database = open_database(settings.database_url)
    seed(database)
    drafted = draft_letters(settings, database, since=date(2026, 11, 1), today=date(2026, 11, 24))
    pdf = next(l for l in drafted if l.chrono == "A-2026-000104")
    text = " ".join(" ".join(page.extract_text().split()) for page in PdfReader(pdf.path).pages)
    assert "Objet : accusé de réception de votre courrier du lundi 23 novembre 2026" in text  # no letter date: received
    assert "Service voirie" in text  # the service in charge
    assert "samedi 23 janvier 2027" in text and "réputée rejetée" in text  # received + 2 months, L231-4
    assert "tribunal administratif de Besançon" in text and "Télérecours" in text
    [notice] = [l for l in list_letters(database) if l.chrono == "A-2026-000106" and l.kind == "avis_transmission"]
    assert notice.recipient == "lea@example.org"


def test_email_letters_arrive_and_sending_is_tracked(tmp_path, model_dir, smtp_server):
    port, inbox = smtp_server
    settings = settings_for(tmp_path, model_dir, f"sqlite:///{tmp_path / 't.sqlite'}", port)
    database = open_database(settings.database_url)
    seed(database, FileStore(settings.file_store_dir))
    draft_letters(settings, database, since=date(2026, 11, 1), today=date(2026, 11, 24))
    sent = send_letters(settings, database, by="agent.durand")
    assert len(sent) == 6 and {l.status for l in sent} == {"sent"}
    received = {tuple(rcpt): message for rcpt, message in inbox.messages}
    assert set(received) == {("jeanne@example.org",), ("paul@example.org",), ("lea@example.org",),
                             ("courrier@doubs.gouv.fr",), ("zoe@example.org",), ("apres@example.org",)}
    transmission = received[("courrier@doubs.gouv.fr",)]
    assert "L114-2" in transmission.get_body(("plain",)).get_content()
    [original] = list(transmission.iter_attachments())
    assert original.get_content().startswith(b"Courrier A-2026-000106")  # the request itself, byte for byte
    assert send_letters(settings, database) == []  # nothing sent twice
    printed = [l.id for l in list_letters(database, "draft")]
    assert len(printed) == 3 and all(Path(l.path).exists() for l in list_letters(database, "draft"))
    assert {l.status for l in mark_sent(database, printed, "accueil")} == {"sent"}
    assert list_letters(database, "draft") == []


def test_letters_send_cli_exits_6_and_marks_failed_when_server_is_down(tmp_path, model_dir):
    from tests.ops.conftest import closed_port, triage
    config = write_config(tmp_path, model_dir, f"sqlite:///{tmp_path / 't.sqlite'}", extra=smtp_section(closed_port()))
    settings = load_settings(config)
    database = open_database(settings.database_url)
    seed(database)
    draft_letters(settings, database, since=date(2026, 11, 1), today=date(2026, 11, 24))
    result = triage("letters", "send", "-c", str(config))
    assert result.returncode == 6, result.stderr
    assert {l.status for l in list_letters(database) if l.channel == "email"} == {"failed"}


def test_hostile_addresses_and_message_ids_fail_their_own_letter_and_the_others_are_sent(tmp_path, model_dir,
                                                                                         smtp_server):
    from sqlalchemy import select

    from pipeline.store.schema import ItemRow
    from tests.ops.conftest import triage
    port, inbox = smtp_server
    config = write_config(tmp_path, model_dir, f"sqlite:///{tmp_path / 't.sqlite'}",
                          extra=PREFECTURE + smtp_section(port))
    settings = load_settings(config)
    database = open_database(settings.database_url)
    seed(database, FileStore(settings.file_store_dir))
    hostile = {"A-2026-000101": {"sender_email": "jeanne@example.org\r\nBcc: victime@evil.example"},
               "A-2026-000102": {"message_id": "<a@example.org>\r\nX-Injecte: oui"},
               "A-2026-000108": {"sender_email": "zoé@exämple.org", "message_id": "<" + "a" * 5000 + "@example.org>"},
               "A-2026-000109": {"message_id": "<\udcff@example.org>".encode("utf-8", "surrogateescape")
                                 .decode("latin-1")}}  # undecodable bytes as a broken mailer sends them
    with database() as session:
        for row in session.execute(select(ItemRow).where(ItemRow.chrono.in_(hostile))).scalars():
            for field, value in hostile[row.chrono].items():
                setattr(row, field, value)
        session.commit()
    draft_letters(settings, database, since=date(2026, 11, 1), today=date(2026, 11, 24))
    result = triage("letters", "send", "-c", str(config))
    assert result.returncode == 6, result.stderr  # some letters failed: said by the code, not by a crash
    assert "Traceback" not in result.stderr + result.stdout
    received = {tuple(rcpt): message for rcpt, message in inbox.messages}
    assert set(received) == {("paul@example.org",), ("lea@example.org",), ("courrier@doubs.gouv.fr",),
                             ("apres@example.org",)}
    assert all("X-Injecte" not in message and "Bcc" not in message for message in received.values())
    assert received[("paul@example.org",)]["In-Reply-To"] is None  # a broken Message-ID is not threaded to
    failed = {l.chrono for l in list_letters(database, "failed")}
    assert failed == {"A-2026-000101", "A-2026-000108"}
