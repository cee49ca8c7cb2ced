"""OCR workers that survive: a worker killed for real mid-page costs only its own document."""
import io
import os
import signal
import threading
import time

from PIL import Image

from pipeline.config import LimitsSettings, OcrSettings
from pipeline.extract.pool import extract, ocr_pool
from pipeline.item import Document
from tests.conftest import DATA

OCR = OcrSettings(workers=2, page_timeout_s=60)


def scan(name: str, label: str) -> Document:
    return Document("test", label, label, (DATA / name).read_bytes())


def kill_the_worker_reading(pool, job_index: int, done: threading.Event) -> list[int]:
    """SIGKILL the worker as soon as it is reading the given page, as the OOM killer would."""
    killed = []
    while not done.is_set() and not killed:
        for pid, index in pool.reading().items():
            if index == job_index:
                os.kill(pid, signal.SIGKILL)
                killed.append(pid)
        time.sleep(0.005)
    return killed


def while_killing(kill, work):
    """`work()` while `kill(done)` waits in a thread for its moment: (what work returned, what kill returned)."""
    done, killed = threading.Event(), []
    killer = threading.Thread(target=lambda: killed.extend(kill(done)))
    killer.start()
    try:
        return work(), killed
    finally:
        done.set()
        killer.join()


def test_worker_killed_mid_page_quarantines_only_its_document_and_the_pool_goes_on():
    chunk = [scan("letter_scan.png", "victime.png"), scan("two_pages_scan.pdf", "voisin.pdf"),
             scan("letter_scan.png", "autre.png")]
    with ocr_pool(2, LimitsSettings()) as pool:
        outcomes, killed = while_killing(lambda done: kill_the_worker_reading(pool, 0, done),
                                         lambda: extract(chunk, OCR, pool))
        later = extract([scan("two_pages_scan.pdf", "lendemain.pdf")], OCR, pool)
        assert pool.rebuilds == 1
    assert killed, "the worker was never caught reading the page"
    victim, neighbour, other = outcomes
    assert victim.item is None and victim.slug == "ocr-worker-died"
    assert "arrêté brutalement" in victim.error
    assert neighbour.item is not None and "Chalezeule" in neighbour.item.text
    assert other.item is not None and "Thise" in other.item.text
    assert later[0].item is not None and "Chalezeule" in later[0].item.text


def test_worker_memory_limit_turns_a_greedy_page_into_a_page_error_not_a_dead_run():
    # 300 MB of address space cannot hold a 40-million-pixel page's clean-up: the page fails, the
    # worker lives, and the next document is read by the same pool.
    limits = LimitsSettings(worker_memory_mb=300, max_pixels_per_page=60_000_000)
    buffer = io.BytesIO()
    Image.new("L", (5000, 8000), 255).save(buffer, "PNG")
    with ocr_pool(1, limits) as pool:
        big, fine = extract([Document("test", "big.png", "big.png", buffer.getvalue()),
                             scan("letter_scan.png", "lettre.png")], OCR, pool)
    assert big.item is None and big.slug in ("ocr-memory", "ocr-worker-died")
    assert fine.item is not None and "Thise" in fine.item.text
