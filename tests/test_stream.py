"""Reading as a stream: pages of later documents are already queued while earlier ones are read,
documents come out as they finish, and a run committing them in that order stores each exactly once."""
from concurrent.futures import ThreadPoolExecutor

from sqlalchemy import func, select

from pipeline.batch import CHUNK, run_batch
from pipeline.config import FolderSource, LimitsSettings, OcrSettings
from pipeline.extract.stream import PageStream
from pipeline.item import Document
from pipeline.sources.folder import Folder
from pipeline.store.database import open_database
from pipeline.store.files import FileStore
from pipeline.store.schema import ItemRow
from tests.conftest import DATA, make_settings

OCR = OcrSettings(workers=2, page_timeout_s=60)


class RecordingPool:
    """A seam around the real pool: notes when each page is sent to the workers and when it comes back."""

    def __init__(self, pool):
        self.pool, self.events = pool, []
        self.workers, self.limits = pool.workers, pool.limits

    def submit_page(self, index, job):
        self.events.append(("sent", index))
        future = self.pool.submit_page(index, job)
        future.add_done_callback(lambda _: self.events.append(("back", index)))
        return future

    def __getattr__(self, name):
        return getattr(self.pool, name)


def _email(n: int) -> bytes:
    return (f"From: habitant{n}@example.org\r\nTo: courrier@grandbesancon.fr\r\nSubject: Bac jaune {n}\r\n"
            f"Message-ID: <stream-{n}@example.org>\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n"
            f"Mon bac jaune n'est pas collecté, 25220 Thise ({n})\r\n").encode()


def test_a_document_without_pages_comes_out_before_the_scans_sent_ahead_of_it(pool):
    stream = PageStream(pool, OCR, LimitsSettings())
    stream.add(Document("test", "voisin.pdf", "voisin.pdf", (DATA / "two_pages_scan.pdf").read_bytes()), "scan")
    stream.add(Document("test", "courriel.eml", "courriel.eml", _email(0)), "courriel")
    assert stream.pages_in_flight == 2
    first = stream.take()
    assert [tag for _, tag in first] == ["courriel"]  # not held back by the scan's pages
    rest = stream.drain()
    assert [tag for _, tag in rest] == ["scan"] and "Chalezeule" in rest[0][0].item.text
    assert stream.pages_in_flight == 0 and stream.documents_in_flight == 0


def test_run_sends_the_next_chunks_pages_before_the_first_chunk_is_read_and_stores_each_once(
        tmp_path, model_dir, database_url, stages, pool):
    settings = make_settings(tmp_path, model_dir, database_url,
                             folders=[FolderSource(name="scanner", path=tmp_path / "inbox", settle_seconds=0)])
    inbox = settings.folders[0].path
    scan = (DATA / "letter_scan.png").read_bytes()
    for n in range(CHUNK + 2):  # distinct bytes (a trailing comment), the same page to read
        (inbox / f"lettre-{n:02d}.png").write_bytes(scan + f"copie {n}".encode())
    for n in range(3):
        (inbox / f"courriel-{n}.eml").write_bytes(_email(n))
    sessions, files = open_database(settings.database_url), FileStore(settings.file_store_dir)
    recording = RecordingPool(pool)

    summary = run_batch([Folder(settings.folders[0])], stages, sessions, files, recording)

    assert summary.totals["stored"] == CHUNK + 5 and summary.totals["quarantined"] == 0
    events = recording.events
    last_of_first_chunk = max(events.index(("back", index)) for index in range(CHUNK))
    assert events.index(("sent", CHUNK)) < last_of_first_chunk  # no waiting for the chunk's slowest page
    with sessions() as session:
        rows = session.execute(select(ItemRow)).scalars().all()
        assert session.execute(select(func.count(func.distinct(ItemRow.sha256)))).scalar_one() == CHUNK + 5
    assert len({row.chrono for row in rows}) == len(rows) == CHUNK + 5
    assert all("Thise" in row.text for row in rows)
    assert [p for p in inbox.iterdir() if p.is_file()] == []


def test_a_plain_executor_reads_pages_too():
    with ThreadPoolExecutor(2) as threads:
        stream = PageStream(threads, OCR, LimitsSettings())
        stream.add(Document("test", "lettre.png", "lettre.png", (DATA / "letter_scan.png").read_bytes()))
        [(outcome, _)] = stream.drain()
    assert outcome.item is not None and "Thise" in outcome.item.text


def test_pages_keep_going_to_the_workers_while_the_stages_still_load(tmp_path, model_dir, stages, pool):
    """runner.py loads spaCy and the model in a thread: meanwhile every page is sent (none waits for
    them), and the documents read are concluded once they are there."""
    import threading
    from concurrent.futures import Future

    from pipeline.batch import READ_AHEAD
    settings = make_settings(tmp_path, model_dir, f"sqlite:///{tmp_path / 't.sqlite'}",
                             folders=[FolderSource(name="scanner", path=tmp_path / "inbox", settle_seconds=0)])
    inbox = settings.folders[0].path
    scan = (DATA / "letter_scan.png").read_bytes()
    pages = READ_AHEAD * pool.workers + 4  # more than the pages sent ahead of the workers
    for n in range(pages):
        (inbox / f"lettre-{n:02d}.png").write_bytes(scan + f"copie {n}".encode())
    recording = RecordingPool(pool)
    loading, sent_when_loaded = Future(), []

    def load_once_every_page_is_sent() -> None:
        for _ in range(1800):
            if sum(1 for kind, _ in recording.events if kind == "sent") == pages:
                break
            threading.Event().wait(0.1)
        sent_when_loaded.append(sum(1 for kind, _ in recording.events if kind == "sent"))
        loading.set_result(stages)

    threading.Thread(target=load_once_every_page_is_sent, daemon=True).start()
    sessions, files = open_database(settings.database_url), FileStore(settings.file_store_dir)
    summary = run_batch([Folder(settings.folders[0])], loading, sessions, files, recording, settings=settings)

    assert sent_when_loaded == [pages]
    assert summary.totals["stored"] == pages and summary.totals["quarantined"] == 0
