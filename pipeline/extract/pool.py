"""Extraction over a process pool whose workers may die without taking the run down with them.

Each OCR worker runs under an address-space limit (limits.worker_memory_mb): a page that would need
gigabytes fails with MemoryError, or the kernel kills its worker. A dead worker breaks a
ProcessPoolExecutor for good, so `OcrPool` builds a new one, finds the page that was running on
the dead worker (each worker notes the page it reads in a file named after its pid; the pool's
SIGTERM to the surviving workers removes theirs), quarantines that page's document
("ocr-worker-died") and reads the other unfinished pages once more.
"""
from __future__ import annotations

import multiprocessing
import os
import resource
import shutil
import signal
import tempfile
from concurrent.futures import Executor, Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path

from pipeline.config import LimitsSettings, OcrSettings
from pipeline.extract.budgets import configure_pillow
from pipeline.extract.document import DEFAULT_LIMITS
from pipeline.extract.ocr import PageJob, PageResult, ocr_page
from pipeline.extract.stream import WORKER_DIED, read_all  # noqa: F401 (WORKER_DIED: its historic home)
from pipeline.item import Document

_marker_dir: Path | None = None  # in a worker: where it notes the page it is reading


class OcrPool:
    """A ProcessPoolExecutor of OCR workers, rebuilt whenever one of them dies."""

    def __init__(self, workers: int, limits: LimitsSettings = DEFAULT_LIMITS):
        self.workers = workers
        self.limits = limits
        self.rebuilds = 0
        self._executor: ProcessPoolExecutor | None = None
        self._markers = Path(tempfile.mkdtemp(prefix="triage-ocr-"))
        configure_pillow(limits)

    def __enter__(self) -> "OcrPool":
        return self

    def __exit__(self, *exc_info) -> None:
        self.shutdown()

    def executor(self) -> ProcessPoolExecutor:
        if self._executor is None:
            self._executor = ProcessPoolExecutor(
                max_workers=self.workers, initializer=_init_worker,
                initargs=(self.limits, str(self._markers)),
                mp_context=multiprocessing.get_context("forkserver"))
        return self._executor

    def map(self, fn, *iterables):
        return self.executor().map(fn, *iterables)

    def submit(self, fn, *args) -> Future:
        return self.executor().submit(fn, *args)

    def reading(self) -> dict[int, int]:
        """Worker pid → index of the page it is reading now (as given to `submit_page`)."""
        found = {}
        for marker in self._markers.iterdir():
            text = marker.read_text()
            if text:
                found[int(marker.name)] = int(text)
        return found

    def shutdown(self) -> None:
        if self._executor is not None:
            self._executor.shutdown(wait=True, cancel_futures=True)
            self._executor = None
        shutil.rmtree(self._markers, ignore_errors=True)

    def submit_page(self, index: int, job: PageJob) -> Future:
        """Read one page on a worker, which notes `index` while it reads it (see `recover`)."""
        return self.submit(_read_page, index, job)

    @staticmethod
    def broken(exc: BaseException) -> bool:
        return isinstance(exc, BrokenProcessPool)

    @staticmethod
    def died_with_worker(exc: BaseException) -> bool:
        return False  # a death breaks the whole local pool: `broken`, then `recover`

    def recover(self) -> set[int]:
        """After a death: wait for the broken pool to end its workers, return the pages the dead ones held
        (their `submit_page` index), start afresh."""
        self._executor.shutdown(wait=True)
        self._executor = None
        self.rebuilds += 1
        dead = set()
        for marker in self._markers.iterdir():
            _kill_group(int(marker.name))  # what the dead worker left running (tesseract, pdftoppm)
            text = marker.read_text()
            if text:
                dead.add(int(text))
            marker.unlink()
        return dead


def ocr_pool(workers: int, limits: LimitsSettings = DEFAULT_LIMITS) -> OcrPool:
    """One tesseract thread per process, pages spread over processes, each under the memory budget."""
    return OcrPool(workers, limits)


def extract(documents: list[Document], ocr: OcrSettings, pool: OcrPool | Executor,
            limits: LimitsSettings | None = None) -> list:
    """Read every document, OCR their pages over the pool; one Outcome per document, in their order."""
    return read_all(documents, ocr, pool, limits or getattr(pool, "limits", DEFAULT_LIMITS))


def _init_worker(limits: LimitsSettings, marker_dir: str) -> None:
    """Runs in each new worker: one tesseract thread, the memory and pixel budgets, its own process group."""
    global _marker_dir
    os.environ["OMP_THREAD_LIMIT"] = "1"
    memory = limits.worker_memory_mb * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (memory, memory))  # inherited by tesseract and pdftoppm
    configure_pillow(limits)
    # Its own process group, so that ending the worker also ends the programs it started.
    os.setpgrp()
    _marker_dir = Path(marker_dir)
    (_marker_dir / str(os.getpid())).write_text("")
    signal.signal(signal.SIGTERM, _terminated_by_pool)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the main process's to handle


def _read_page(index: int, job: PageJob) -> PageResult:
    marker = _marker_dir / str(os.getpid())
    marker.write_text(str(index))
    result = ocr_page(job)
    marker.write_text("")
    return result


def _terminated_by_pool(signum, frame) -> None:
    """The pool ends the surviving workers after a death: they are innocent, their marker goes."""
    if _marker_dir is not None:
        (_marker_dir / str(os.getpid())).unlink(missing_ok=True)
    _kill_group(os.getpid())


def _kill_group(pgid: int) -> None:
    try:
        os.killpg(pgid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass
