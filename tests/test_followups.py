"""Follow-ups linked at the store's edge, registration corrections in the audit trail, the export's new
columns and its filters by label, and letters addressed from the registration: SQLite and PostgreSQL."""
import csv
import io
import subprocess
import sys
from datetime import date, datetime, timedelta, timezone

import pytest
from sqlalchemy import select

from bench.followup_links import DEFAULT, load, measure
from pipeline.config import Settings
from pipeline.errors import NotFoundError
from pipeline.item import Document, Item, Part, Registration, Routing, Scored, Thread
from pipeline.letters import draft_letters
from pipeline.ops.export import write_csv
from pipeline.stages import Outcome
from pipeline.store import followups, registration
from pipeline.store.database import open_database
from pipeline.store.files import FileStore
from pipeline.store.outcomes import store_outcome
from pipeline.store.schema import ItemRow, LetterRow, ReviewEventRow
from pipeline.store.statistics import ExportFilters
from tests.conftest import ROOT, make_settings

NOW = datetime.now(timezone.utc).replace(microsecond=0)


def _letter(name: str, text: str, received: datetime, *, competence="dechets", status="routed",
            destination="Direction de la gestion des déchets", reg: Registration = Registration(),
            sender="", subject="") -> Item:
    document = Document("scanner", f"/in/{name}", name, text.encode() + name.encode(), received_at=received)
    return Item(document=document, channel="courrier", sender=sender, subject=subject, received_at=received,
                parts=(Part(name=name, content_type="application/pdf", role="scan", text=text),),
                competences=(Scored(competence, 0.9),), registration=reg,
                routing=Routing("metropole", destination, status, received.date() + timedelta(days=60)))


def _email(message_id: str, received: datetime, *, thread=(), competence="voirie", destination="Voirie",
           sender="k.benali@example.com") -> Item:
    raw = f"Message-ID: {message_id}\r\n\r\nbody".encode()
    return Item(document=Document("eml", f"/eml/{message_id}", "m.eml", raw, received_at=received), channel="email",
                sender="Karim Benali", sender_email=sender, subject="Stationnement rue de Belfort",
                message_id=message_id, received_at=received, thread=Thread(thread[0] if thread else "", tuple(thread)),
                parts=(Part(name="corps", content_type="text/plain", role="body", text="Voitures sur le trottoir."),),
                competences=(Scored(competence, 0.9),),
                routing=Routing("metropole", destination, "to_review", received.date()))


@pytest.fixture
def settings(tmp_path) -> Settings:
    """No model needed: nothing here classifies."""
    return make_settings(tmp_path, tmp_path / "models")


@pytest.fixture
def stored(database_url, tmp_path):
    database = open_database(database_url)
    files = FileStore(tmp_path / "files")

    def store(item: Item):
        return store_outcome(database, files, Outcome(item.document, item), run_id=None,
                             chrono_pattern="A-{year}-{number:06d}")
    yield database, store
    database.engine.dispose()


def test_a_reminder_from_the_same_sender_is_linked_and_routed_where_the_first_went(stored):
    database, store = stored
    reg = Registration(address=("5 impasse des Chênes",), postcode="25640", town="Roulans",
                       letter_date=date(2026, 3, 2), objet="Demande de composteur")
    first = store(_letter("a.pdf", "Je souhaite un composteur de 400 litres.", NOW - timedelta(days=40),
                          reg=reg, sender="Patrick FAIVRE", subject="Demande de composteur"))
    other = store(_letter("b.pdf", "Je souhaite un composteur.", NOW - timedelta(days=30),
                          reg=Registration(postcode="25640", town="Roulans"), sender="Marie GIRARD",
                          subject="Demande de composteur"))
    later = store(_letter("c.pdf", "Relance : toujours aucune réponse à ma demande de composteur de 400 litres.",
                          NOW - timedelta(days=1), competence="eau_assainissement", status="to_review",
                          destination="Eau", reg=Registration(postcode="25640", town="Roulans"),
                          sender="P. Faivre", subject="Relance composteur"))
    with database() as session:
        row = session.get(ItemRow, later.item_id)
        assert row.followup_of == first.item_id and "relance" in row.followup_reason
        assert (row.competence, row.destination) == ("dechets", "Direction de la gestion des déchets")
        assert session.get(ItemRow, other.item_id).followup_of is None
        chain = followups.earlier_items(session, later.item_id)
        assert [e.chrono for e in chain] == [first.chrono] and chain[0].status_label == "Orienté automatiquement"
        assert [e.chrono for e in followups.later_items(session, first.item_id)] == [later.chrono]
    counts = followups.followups_per_service(database, NOW - timedelta(days=2), NOW + timedelta(days=1))
    assert counts == {"Direction de la gestion des déchets": 1}


def test_a_reply_in_the_same_thread_is_linked_and_exported_with_its_message_id(stored, settings: Settings):
    database, store = stored
    first = store(_email("<k1@example.com>", NOW - timedelta(days=3)))
    second = store(_email("<k2@example.com>", NOW - timedelta(days=1), thread=("<k1@example.com>",)))
    unrelated = store(_email("<z9@example.com>", NOW, thread=("<never@example.com>",), competence="eau_assainissement",
                             destination="Eau", sender="lucie@example.org"))
    with database() as session:
        assert session.get(ItemRow, second.item_id).followup_of == first.item_id
    out = io.StringIO()
    write_csv(settings, database, ExportFilters(), out)
    rows = {r["N° chrono"]: r for r in csv.DictReader(io.StringIO(out.getvalue()), delimiter=";")}
    assert rows[second.chrono]["Suite de"] == first.chrono and rows[second.chrono]["Fichier"] == "<k2@example.com>"
    assert rows[first.chrono]["Suite de"] == ""
    assert rows[unrelated.chrono]["Suite de"] == ""  # another sender, a thread we never stored: not linked


def test_export_filters_take_the_labels_users_see_and_name_the_valid_ones(stored, settings: Settings):
    database, store = stored
    store(_letter("a.pdf", "Bac gris", NOW, status="to_review", sender="Mme A", subject="Bac",
                  reg=Registration(address=("1 rue X",), postcode="25000", town="Besançon",
                                   letter_date=date(2026, 1, 2))))
    store(_letter("b.pdf", "Trottoir", NOW, competence="voirie", sender="M. B", subject="Trottoir"))
    out = io.StringIO()
    assert write_csv(settings, database, ExportFilters(status=["à vérifier"]), out) == 1
    row = next(csv.DictReader(io.StringIO(out.getvalue()), delimiter=";"))
    assert (row["Fichier"], row["Code postal"], row["Ville"], row["Adresse"], row["Date du courrier"]) == \
        ("a.pdf", "25000", "Besançon", "1 rue X", "02/01/2026")
    assert write_csv(settings, database, ExportFilters(competence="DÉCHETS"), io.StringIO()) == 1
    assert write_csv(settings, database, ExportFilters(status=["A-VERIFIER"], channel="papier"), io.StringIO()) == 1
    with pytest.raises(NotFoundError) as refused:
        write_csv(settings, database, ExportFilters(status=["perdu"]), io.StringIO())
    assert "« perdu »" in str(refused.value) and "« À vérifier »" in str(refused.value)


def test_a_clerk_s_correction_of_the_registration_is_kept_in_the_audit_trail(stored):
    database, store = stored
    first = store(_letter("a.pdf", "Texte", NOW - timedelta(days=5), sender="M. X", subject="Sujet"))
    item = store(_letter("b.pdf", "Autre", NOW, sender="", subject="Autre"))
    with database() as session:
        version = session.get(ItemRow, item.item_id).version
        new_version = registration.update_registration(session, item.item_id, version, {
            "sender": "Gérard Faivre", "sender_address": "42 rue Battant", "sender_postcode": "25000",
            "sender_town": "Besançon", "letter_date": "14/03/2025", "followup_chrono": first.chrono.lower()}, "marie")
        with pytest.raises(registration.Stale):
            new_version = registration.update_registration(session, item.item_id, version, {"sender": "Autre"}, "paul")
        with pytest.raises(registration.Invalid):
            registration.update_registration(session, item.item_id, new_version, {"sender_postcode": "25"}, "paul")
        assert new_version > version
    with database() as session:
        found = registration.registration_of(session, item.item_id)
        assert (found.sender, found.letter_date, found.followup_chrono) == ("Gérard Faivre", date(2025, 3, 14),
                                                                            first.chrono)
        assert found.address_lines == ["42 rue Battant", "25000 Besançon"]
        event = session.execute(select(ReviewEventRow).where(ReviewEventRow.item_id == item.item_id)).scalar_one()
        assert event.user == "marie" and event.after["sender"] == "Gérard Faivre"
        assert event.before["sender"] is None and event.after["letter_date"] == "2025-03-14"


def test_the_acknowledgement_of_a_paper_letter_is_addressed_and_dated_from_the_letter(stored, settings: Settings):
    database, store = stored
    store(_letter("a.pdf", "Texte", NOW, sender="Gérard Faivre", subject="Bac gris",
                  reg=Registration(address=("42 rue Battant",), postcode="25000", town="Besançon",
                                   letter_date=date(2025, 3, 14))))
    settings = settings.model_copy(update={"database_url": str(database.engine.url)})
    [letter] = draft_letters(settings, database, since=NOW.date() - timedelta(days=1), today=NOW.date())
    assert letter.recipient == "Gérard Faivre" and letter.channel == "courrier"
    printed = subprocess.run(["pdftotext", "-layout", letter.path, "-"], capture_output=True, text=True,
                             timeout=60).stdout
    assert "42 rue Battant" in printed and "25000 Besançon" in printed and "compléter" not in printed
    with database() as session:
        row = session.get(LetterRow, letter.id)
    assert "votre courrier du 14 mars 2025" in row.subject and "votre courrier du 14 mars 2025" in row.body


def test_the_labelled_follow_up_set_is_linked_without_a_false_link():
    result = measure(load(DEFAULT))
    assert result["precision"] == 1.0 and result["recall"] >= 0.9 and result["links_expected"] >= 10
    done = subprocess.run([sys.executable, str(ROOT / "bench" / "followup_links.py")], capture_output=True, text=True,
                          cwd=ROOT, timeout=60)
    assert done.returncode == 0 and "précision" in done.stdout
