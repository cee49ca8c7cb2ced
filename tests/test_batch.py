"""A whole run on real files, on SQLite and PostgreSQL: store, quarantine, move, rerun, chrono."""
import multiprocessing

import pytest
from sqlalchemy import func, select

from pipeline.batch import run_batch
from pipeline.config import FolderSource
from pipeline.errors import ExitCode
from pipeline.sources.folder import Folder
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
