"""A whole run on real files, on SQLite and PostgreSQL: store, quarantine, move, rerun, chrono, isolation, retries."""
import dataclasses
import multiprocessing

import pytest
from sqlalchemy import create_engine, func, select, text

from pipeline.batch import run_batch
from pipeline.config import FolderSource
from pipeline.errors import DatabaseError, ExitCode
from pipeline.store.run_lock import run_lock
from pipeline.ops.status import queue_status
from pipeline.sources.folder import Folder
from pipeline.sources.retries import QueuedRetries
from pipeline.store import quarantine, runs
from pipeline.store.chrono import next_chrono
from pipeline.store.database import open_database
from pipeline.store.files import FileStore
from pipeline.store.schema import ItemRow, ItemSourceRow, QuarantineRow
from tests.conftest import DATA, drop, make_settings

GOOD = ["letter_scan.png", "text_layer.pdf", "email_with_pdf.eml"]
BAD = ["corrupt.pdf", "empty.pdf"]


@pytest.fixture
def run_setup(tmp_path, model_dir, database_url, stages):
    settings = make_settings(tmp_path, model_dir, database_url,
                             folders=[FolderSource(name="scanner", path=tmp_path / "inbox", settle_seconds=0)])
    sessions = open_database(settings.database_url)
    files = FileStore(settings.file_store_dir)
    inbox = settings.folders[0].path
    return settings, sessions, files, inbox


def count(sessions, row_type) -> int:
    with sessions() as session:
        return session.execute(select(func.count()).select_from(row_type)).scalar_one()


def test_run_stores_good_files_quarantines_bad_ones_and_moves_them(run_setup, stages, pool):
    settings, sessions, files, inbox = run_setup
    drop([DATA / n for n in GOOD + BAD], inbox)
    summary = run_batch([Folder(settings.folders[0])], stages, sessions, files, pool)

    assert summary.totals["stored"] == 3 and summary.totals["quarantined"] == 2
    assert summary.exit_code == ExitCode.ITEMS_QUARANTINED
    assert count(sessions, ItemRow) == 3 and count(sessions, QuarantineRow) == 2
    assert [p for p in inbox.iterdir() if p.is_file()] == []
    assert sorted(p.name for p in (inbox / "done").rglob("*") if p.is_file()) == sorted(GOOD)
    reasons = sorted(p.read_text() for p in (inbox / "quarantine").rglob("*.raison.txt"))
    assert any("vide" in r for r in reasons) and any("pdfinfo" in r for r in reasons)
    with sessions() as session:
        rows = session.execute(select(ItemRow)).scalars().all()
        assert len({r.chrono for r in rows}) == 3
        assert all(r.chrono.startswith(f"A-{r.created_at.year}-") for r in rows)
        for row in rows:  # originals kept byte for byte
            assert files.get(row.sha256) == (DATA / row.filename).read_bytes()
        scan = next(r for r in rows if r.filename == "letter_scan.png")
        assert scan.commune == "25560" and "Thise" in scan.commune_evidence
        assert scan.ocr_confidence > 50


def test_rerun_of_the_same_files_adds_nothing(run_setup, stages, pool):
    settings, sessions, files, inbox = run_setup
    drop([DATA / n for n in GOOD], inbox)
    run_batch([Folder(settings.folders[0])], stages, sessions, files, pool)
    drop([DATA / n for n in GOOD], inbox)
    summary = run_batch([Folder(settings.folders[0])], stages, sessions, files, pool)
    assert summary.totals["duplicates"] == 3 and summary.totals["stored"] == 0
    assert count(sessions, ItemRow) == 3


class CheckingFolder(Folder):
    """A folder source that checks, when told a document is done, that the database has it."""

    def __init__(self, spec, sessions, fail_on_done: bool = False):
        super().__init__(spec)
        self.sessions, self.fail_on_done, self.checked = sessions, fail_on_done, 0

    def done(self, document, outcome, reason=""):
        with self.sessions() as session:
            table = QuarantineRow if outcome == "quarantined" else ItemRow
            assert session.execute(select(table).where(table.sha256 == document.sha256)).first() is not None
        self.checked += 1
        if self.fail_on_done:
            raise KeyboardInterrupt("killed between the commit and the move")
        super().done(document, outcome, reason)


def test_source_is_marked_done_only_after_the_database_commit(run_setup, stages, pool):
    settings, sessions, files, inbox = run_setup
    drop([DATA / n for n in GOOD[:2] + BAD[:1]], inbox)
    source = CheckingFolder(settings.folders[0], sessions)
    run_batch([source], stages, sessions, files, pool)
    assert source.checked == 3


def test_run_killed_after_commit_but_before_move_is_completed_by_the_next_run(run_setup, stages, pool):
    settings, sessions, files, inbox = run_setup
    drop([DATA / "text_layer.pdf"], inbox)
    with pytest.raises(KeyboardInterrupt):
        run_batch([CheckingFolder(settings.folders[0], sessions, fail_on_done=True)], stages, sessions, files, pool)
    assert (inbox / "text_layer.pdf").exists()  # not moved: the next run must see it again
    summary = run_batch([Folder(settings.folders[0])], stages, sessions, files, pool)
    assert summary.totals["duplicates"] == 1
    assert count(sessions, ItemRow) == 1
    assert not (inbox / "text_layer.pdf").exists()


def test_same_email_in_two_sources_is_one_item_with_two_sources(run_setup, stages, pool, tmp_path):
    settings, sessions, files, inbox = run_setup
    raw = (DATA / "email_with_pdf.eml").read_bytes()
    (inbox / "copy-a.eml").write_bytes(raw)
    (inbox / "copy-b.eml").write_bytes(b"Delivered-To: eau@grandbesancon.fr\r\n" + raw)
    summary = run_batch([Folder(settings.folders[0])], stages, sessions, files, pool)
    assert summary.totals["stored"] == 1 and summary.totals["duplicates"] == 1
    assert count(sessions, ItemRow) == 1 and count(sessions, ItemSourceRow) == 2
    with sessions() as session:  # both copies kept byte for byte
        stored = {files.get(s.sha256) for s in session.execute(select(ItemSourceRow)).scalars()}
    assert stored == {raw, b"Delivered-To: eau@grandbesancon.fr\r\n" + raw}


def test_chrono_counter_restarts_every_year(database_url):
    sessions = open_database(database_url)
    with sessions() as session:
        numbers = [next_chrono(session, "A-{year}-{number:06d}", year) for year in (2026, 2026, 2027)]
        session.commit()
    assert numbers == ["A-2026-000001", "A-2026-000002", "A-2027-000001"]


def _take_numbers(url: str, count: int, queue) -> None:
    sessions = open_database(url, migrate=False)
    taken = []
    for _ in range(count):
        with sessions() as session:
            taken.append(next_chrono(session, "{number}", 2026))
            session.commit()
    queue.put(taken)


def test_chrono_numbers_stay_unique_with_two_runs_at_once(database_url):
    open_database(database_url)
    context = multiprocessing.get_context("spawn")
    queue = context.Queue()
    workers = [context.Process(target=_take_numbers, args=(database_url, 40, queue)) for _ in range(2)]
    for worker in workers:
        worker.start()
    numbers = queue.get(timeout=120) + queue.get(timeout=120)
    for worker in workers:
        worker.join(timeout=30)
    assert sorted(int(n) for n in numbers) == list(range(1, 81))


class PoisonedModel:
    """A seam around the real model: classifying a text that carries the marker raises, as a bug would."""

    def __init__(self, model, marker: str):
        self.model, self.marker = model, marker

    def classify(self, items):
        if any(self.marker in item.text for item in items):
            raise ValueError("poisoned text")
        return self.model.classify(items)

    def __getattr__(self, name):
        return getattr(self.model, name)


def _email(subject: str, body: str) -> bytes:
    return (f"From: habitant@example.org\r\nTo: courrier@grandbesancon.fr\r\nSubject: {subject}\r\n"
            f"Message-ID: <{abs(hash(subject))}@example.org>\r\n"
            f"Content-Type: text/plain; charset=utf-8\r\n\r\n{body}\r\n").encode()


def test_exception_in_classification_quarantines_only_that_document(run_setup, stages, pool):
    settings, sessions, files, inbox = run_setup
    drop([DATA / n for n in GOOD], inbox)
    (inbox / "poison.eml").write_bytes(_email("POISON", "Fuite d'eau 25220 Thise"))
    poisoned = dataclasses.replace(stages, model=PoisonedModel(stages.model, "POISON"))
    summary = run_batch([Folder(settings.folders[0])], poisoned, sessions, files, pool)
    assert summary.totals["stored"] == 3 and summary.totals["quarantined"] == 1
    assert summary.quarantine_reasons == {"internal": 1}
    with sessions() as session:
        entry = session.execute(select(QuarantineRow)).scalar_one()
    assert entry.filename == "poison.eml" and entry.reason_slug == "internal" and "compétence" in entry.reason
    assert files.get(entry.sha256) == _email("POISON", "Fuite d'eau 25220 Thise")  # original byte for byte


def test_nul_bytes_in_subject_and_body_are_stored(run_setup, stages, pool):
    settings, sessions, files, inbox = run_setup
    raw = _email("Bac jaune\x00 non collecté", "Mon bac\x00 jaune n'est pas collecté, 25220 Thise")
    (inbox / "nul.eml").write_bytes(raw)
    summary = run_batch([Folder(settings.folders[0])], stages, sessions, files, pool)
    assert summary.totals["stored"] == 1, summary
    with sessions() as session:
        row = session.execute(select(ItemRow)).scalar_one()
    assert "\x00" not in row.subject + row.text and files.get(row.sha256) == raw


REFUSE = {"sqlite": ["CREATE TRIGGER refuse BEFORE INSERT ON item WHEN NEW.subject LIKE '%REFUS%' "
                     "BEGIN SELECT RAISE(ABORT, 'refusé par la base'); END"],
          "postgresql": ["CREATE FUNCTION refuse() RETURNS trigger AS $$ BEGIN IF NEW.subject LIKE '%REFUS%' THEN "
                         "RAISE EXCEPTION 'refusé par la base'; END IF; RETURN NEW; END $$ LANGUAGE plpgsql",
                         "CREATE TRIGGER refuse BEFORE INSERT ON item FOR EACH ROW EXECUTE FUNCTION refuse()"]}


def test_commit_refused_by_the_database_quarantines_only_the_offender(run_setup, stages, pool):
    settings, sessions, files, inbox = run_setup
    with sessions() as session:  # a real refusal by the database, as a constraint or a bad value would give
        for statement in REFUSE[session.bind.dialect.name]:
            session.execute(text(statement))
        session.commit()
    drop([DATA / "text_layer.pdf"], inbox)
    (inbox / "refus.eml").write_bytes(_email("REFUS", "Fuite d'eau 25220 Thise"))
    (inbox / "ok.eml").write_bytes(_email("Nid de poule", "Nid de poule rue de Vesoul 25000 Besançon"))
    summary = run_batch([Folder(settings.folders[0])], stages, sessions, files, pool)
    assert summary.totals["stored"] == 2 and summary.totals["quarantined"] == 1
    with sessions() as session:
        entry = session.execute(select(QuarantineRow)).scalar_one()
        assert entry.filename == "refus.eml" and entry.reason_slug == "store-refused"
        assert "refusé par la base de données" in entry.reason
    assert list((inbox / "quarantine").rglob("refus.eml"))


def test_queued_retry_is_processed_by_the_next_run_through_the_batch(run_setup, stages, pool):
    settings, sessions, files, inbox = run_setup
    raw = _email("POISON bac jaune", "Mon bac jaune n'est pas collecté, 25220 Thise")
    (inbox / "bac.eml").write_bytes(raw)
    poisoned = dataclasses.replace(stages, model=PoisonedModel(stages.model, "POISON"))
    run_batch([Folder(settings.folders[0])], poisoned, sessions, files, pool)
    with sessions() as session:
        entry_id = session.execute(select(QuarantineRow.id)).scalar_one()
        assert quarantine.request_retry(session, entry_id, "marie")
    summary = run_batch([QueuedRetries(sessions, files)], stages, sessions, files, pool)
    assert summary.totals["stored"] == 1
    with sessions() as session:
        entry = quarantine.get(session, entry_id)
        item = session.get(ItemRow, entry.item_id)
    assert (entry.status, entry.resolved_by) == ("retried", "marie") and files.get(item.sha256) == raw
    assert run_batch([QueuedRetries(sessions, files)], stages, sessions, files, pool).totals["fetched"] == 0


def test_retry_that_fails_again_reopens_the_entry_with_the_new_reason(run_setup, stages, pool):
    settings, sessions, files, inbox = run_setup
    (inbox / "vide.pdf").write_bytes(b"")
    run_batch([Folder(settings.folders[0])], stages, sessions, files, pool)
    with sessions() as session:
        entry_id = session.execute(select(QuarantineRow.id)).scalar_one()
        quarantine.request_retry(session, entry_id, "marie")
    summary = run_batch([QueuedRetries(sessions, files)], stages, sessions, files, pool)
    assert summary.totals["quarantined"] == 1 and count(sessions, QuarantineRow) == 1
    with sessions() as session:
        assert quarantine.get(session, entry_id).status == "open"


def test_file_still_being_written_waits_and_hidden_files_are_reported(tmp_path, model_dir, stages, pool):
    settings = make_settings(tmp_path, model_dir,
                             folders=[FolderSource(name="scanner", path=tmp_path / "inbox", settle_seconds=30)])
    sessions, files = open_database(settings.database_url), FileStore(settings.file_store_dir)
    inbox = tmp_path / "inbox"
    drop([DATA / "text_layer.pdf"], inbox)  # an old file: settled
    (inbox / "en-cours.pdf").write_bytes((DATA / "text_layer.pdf").read_bytes()[:500])  # being written now
    (inbox / ".scan-cache.pdf").write_bytes(b"%PDF")
    summary = run_batch([Folder(settings.folders[0])], stages, sessions, files, pool)
    counts = summary.sources[0].counts
    assert (counts["stored"], counts["settling"], counts["hidden"], counts["quarantined"]) == (1, 1, 1, 0)
    assert (inbox / "en-cours.pdf").exists() and (inbox / ".scan-cache.pdf").exists()


def test_done_folder_unusable_after_commit_is_a_source_error_and_next_run_finds_a_duplicate(run_setup, stages,
                                                                                           pool, tmp_path):
    settings, sessions, files, inbox = run_setup
    blocked = FolderSource(name="scanner", path=inbox, settle_seconds=0, done_dir=tmp_path / "done-file")
    (tmp_path / "done-file").write_text("not a folder")
    drop([DATA / "text_layer.pdf"], inbox)
    summary = run_batch([Folder(blocked), Folder(FolderSource(name="vide", path=tmp_path / "absent"))],
                        stages, sessions, files, pool)
    assert summary.exit_code == ExitCode.SOURCE_FAILED and "ranger" in summary.sources[0].error
    assert len(summary.sources) == 2  # the failing source did not skip the next one
    assert (inbox / "text_layer.pdf").exists() and count(sessions, ItemRow) == 1
    again = run_batch([Folder(settings.folders[0])], stages, sessions, files, pool)
    assert again.totals["duplicates"] == 1 and not (inbox / "text_layer.pdf").exists()


def test_lock_release_on_a_dead_postgresql_connection_keeps_the_database_error(postgres_url, tmp_path, model_dir):
    settings = make_settings(tmp_path, model_dir, postgres_url)
    admin = create_engine(postgres_url)
    with pytest.raises(DatabaseError):
        with run_lock(settings):
            with admin.connect() as connection:  # PostgreSQL restarted under the run: its lock connection dies
                connection.execute(text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                                        "WHERE application_name LIKE 'triage run%'"))
            raise DatabaseError("base de données perdue pendant le traitement")
    admin.dispose()


def test_a_killed_run_shows_as_interrupted_in_status_and_is_closed_by_the_next_run(tmp_path, model_dir, database_url):
    settings = make_settings(tmp_path, model_dir, database_url)
    sessions = open_database(settings.database_url)
    with sessions() as session:
        runs.start(session)  # a run killed before it could finish: still "running"
    with run_lock(settings):  # while a run holds the lock, it is really running
        assert queue_status(settings, sessions).last_run["status"] == "running"
    assert queue_status(settings, sessions).last_run["status"] == "interrupted"
    with run_lock(settings), sessions() as session:
        assert runs.close_interrupted(session) == 1
        assert runs.last_run(session).status == "interrupted"


def test_bytes_already_in_quarantine_are_not_read_again_when_dropped_again(run_setup, stages, pool):
    settings, sessions, files, inbox = run_setup
    raw = _email("POISON encore", "Fuite d'eau 25220 Thise")
    (inbox / "encore.eml").write_bytes(raw)
    poisoned = dataclasses.replace(stages, model=PoisonedModel(stages.model, "POISON"))
    run_batch([Folder(settings.folders[0])], poisoned, sessions, files, pool)
    (inbox / "encore.eml").write_bytes(raw)
    summary = run_batch([Folder(settings.folders[0])], stages, sessions, files, pool)  # not even classified
    assert summary.totals["quarantined"] == 1 and summary.quarantine_reasons == {"internal": 1}
    assert count(sessions, QuarantineRow) == 1 and count(sessions, ItemRow) == 0
    assert not (inbox / "encore.eml").exists()
