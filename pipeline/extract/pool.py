"""Extraction over a process pool whose workers may die without taking the run down with them.

Each OCR worker runs under an address-space limit (limits.worker_memory_mb): a page that would need
gigabytes fails with MemoryError, or the kernel kills its worker. A dead worker breaks a
ProcessPoolExecutor for good, so `OcrPool` builds a new one, finds the page that was running on
the dead worker (each worker notes the page it reads in a file named after its pid; the pool's
SIGTERM to the surviving workers removes theirs), quarantines that page's document
("ocr-worker-died") and reads the other unfinished pages once more.
"""
from __future__ import annotations

import logging
import multiprocessing
import os
import resource
import shutil
import signal
import tempfile
from collections import defaultdict
from concurrent.futures import Executor, Future, ProcessPoolExecutor, as_completed
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path

from pipeline.config import LimitsSettings, OcrSettings
from pipeline.errors import ItemError
from pipeline.extract.budgets import configure_pillow
from pipeline.extract.document import DEFAULT_LIMITS, apply_ocr, ocr_jobs, read_document
from pipeline.extract.ocr import PageJob, PageResult, ocr_page
from pipeline.item import Document

log = logging.getLogger("triage.ocr")
WORKER_DIED = "ocr-worker-died"
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
        """Worker pid → index of the page it is reading now (the job's place in `read_pages`)."""
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

    def read_pages(self, jobs: list[PageJob], owners: list[int], seconds_per_item: float) -> list[PageResult]:
        """Every job's result in order; `owners` says which item each page belongs to (for its OCR budget)."""
        results: dict[int, PageResult] = {}
        tries: dict[int, int] = defaultdict(int)
        spent: dict[int, float] = defaultdict(float)
        pending = list(range(len(jobs)))
        while pending:
            for index in pending:
                tries[index] += 1
            dead = self._round(pending, jobs, owners, results, spent, seconds_per_item)
            if dead is None:
                break
            condemned = {owners[index] for index in dead}
            for index in dead:
                results[index] = PageResult(jobs[index].key, None, f"page {jobs[index].page_number} : le processus "
                                            "d'OCR s'est arrêté brutalement sur cette page (mémoire ?)", WORKER_DIED)
            for index in pending:
                if index not in results and (owners[index] in condemned or tries[index] >= 2):
                    results[index] = PageResult(jobs[index].key, None, f"page {jobs[index].page_number} : non lue, "
                                                "un processus d'OCR s'est arrêté brutalement", WORKER_DIED)
            pending = [index for index in pending if index not in results]
        return [results[index] for index in range(len(jobs))]

    def _round(self, pending, jobs, owners, results, spent, seconds_per_item) -> set[int] | None:
        """Submit the pending pages; None when they all came back, else the pages that were on a dead worker."""
        futures = {self.submit(_read_page, index, jobs[index]): index for index in pending}
        try:
            for future in as_completed(futures):
                if future.cancelled():
                    continue
                index = futures[future]
                results[index] = _result(future, jobs[index])
                owner = owners[index]
                spent[owner] += results[index].seconds
                if spent[owner] > seconds_per_item:
                    self._stop_item(owner, futures, jobs, owners, results, seconds_per_item)
        except BrokenProcessPool:
            return self._rebuild()
        return None

    @staticmethod
    def _stop_item(owner, futures, jobs, owners, results, seconds_per_item) -> None:
        """The item spent its OCR budget: its pages not started yet are not read."""
        for future, index in futures.items():
            if owners[index] == owner and future.cancel():
                results[index] = PageResult(jobs[index].key, None, f"page {jobs[index].page_number} : non lue, "
                                            f"budget d'OCR de {seconds_per_item:g} s par document dépassé",
                                            "ocr-budget")

    def _rebuild(self) -> set[int]:
        """Wait for the broken pool to end its workers, read which pages the dead ones held, start afresh."""
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
    from pipeline.stages import Outcome  # the stages own the Outcome; they import this module first

    limits = limits or getattr(pool, "limits", DEFAULT_LIMITS)
    outcomes = []
    for document in documents:
        if document.refused:  # the source could not hand it over whole (e.g. too large to download)
            outcomes.append(Outcome(document, error=document.refused, slug="too-large"))
            continue
        try:
            outcomes.append(Outcome(document, read_document(document, ocr, limits)))
        except ItemError as exc:
            outcomes.append(Outcome(document, error=str(exc), slug=exc.slug))
    jobs, owners = [], []
    for index, outcome in enumerate(outcomes):
        if outcome.item is None:
            continue
        try:
            item_jobs = ocr_jobs(outcome.item, ocr, limits)
        except ItemError as exc:
            outcomes[index] = Outcome(outcome.document, error=str(exc), slug=exc.slug)
            continue
        jobs.extend(item_jobs)
        owners.extend([index] * len(item_jobs))
    if isinstance(pool, OcrPool):
        results = pool.read_pages(jobs, owners, limits.ocr_seconds_per_item) if jobs else []
    else:  # a plain executor (the web page's threads): no worker process to lose, no budget clock
        results = list(pool.map(ocr_page, jobs))
    per_item: dict[int, list[PageResult]] = {}
    for owner, result in zip(owners, results):
        per_item.setdefault(owner, []).append(result)
    for index, page_results in per_item.items():
        try:
            outcomes[index] = Outcome(outcomes[index].document, apply_ocr(outcomes[index].item, page_results))
        except ItemError as exc:
            outcomes[index] = Outcome(outcomes[index].document, error=str(exc), slug=exc.slug)
    return outcomes


def _result(future: Future, job: PageJob) -> PageResult:
    """A page's result; a bug while reading one page is that page's failure, not the chunk's."""
    try:
        return future.result()
    except BrokenProcessPool:
        raise
    except Exception as exc:
        log.error("OCR de la page %s : erreur interne", job.page_number, exc_info=exc)
        return PageResult(job.key, None, f"page {job.page_number} : erreur interne de l'OCR "
                          f"({type(exc).__name__})", "internal")


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
