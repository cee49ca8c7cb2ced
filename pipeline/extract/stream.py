"""Reading as a stream: documents enter one at a time, their pages go to the workers at once, and each
document comes out as soon as its last page is back, whichever document that is.

So the workers always have pages waiting, from whatever documents are in flight: no core waits for
the slowest page of a chunk. What reading a document means is unchanged (pipeline/extract/document.py):
the text layers and budgets are read here, in the calling process; only pages travel.

The guarantees of a chunk are kept page by page:
- an OCR budget per document: once its pages have spent `limits.ocr_seconds_per_item`, its pages not
  started yet are not read;
- a worker that dies condemns the document whose page it was reading ("ocr-worker-died"); the other
  pages it had in flight are read again once, then given up;
- any exception while reading one document is that document's quarantine, never the stream's.

A pool is anything with `submit_page(index, job) -> Future`, `broken(exc)`, `recover()` and
`died_with_worker(exc)` (pipeline/extract/pool.py: local processes; pipeline/extract/cluster.py: Dask);
a plain concurrent.futures Executor is wrapped by `page_pool`.
"""
from __future__ import annotations

import logging
from concurrent.futures import FIRST_COMPLETED, Executor, Future, wait
from dataclasses import dataclass, field

from pipeline.config import LimitsSettings, OcrSettings
from pipeline.extract.document import apply_ocr, ocr_jobs, read_document
from pipeline.extract.ocr import PageJob, PageResult, ocr_page
from pipeline.item import Document
from pipeline.outcome import Outcome, failed

log = logging.getLogger("triage.ocr")
WORKER_DIED = "ocr-worker-died"
STAGE = "lecture"


@dataclass
class _InFlight:
    """A document whose pages are being read."""

    outcome: Outcome
    tag: object
    pages: list[int]
    left: int
    spent: float = 0.0
    stopped: bool = False  # its OCR budget is spent


@dataclass
class PageStream:
    pool: object
    ocr: OcrSettings
    limits: LimitsSettings
    _jobs: dict[int, PageJob] = field(default_factory=dict)
    _owner: dict[int, int] = field(default_factory=dict)  # page index → document number
    _tries: dict[int, int] = field(default_factory=dict)
    _futures: dict[Future, int] = field(default_factory=dict)  # pages in flight
    _documents: dict[int, _InFlight] = field(default_factory=dict)
    _results: dict[int, PageResult] = field(default_factory=dict)
    _finished: list[tuple[Outcome, object]] = field(default_factory=list)
    _next_page: int = 0
    _next_document: int = 0

    def __post_init__(self) -> None:
        self.pool = page_pool(self.pool)

    @property
    def pages_in_flight(self) -> int:
        return len(self._futures)

    @property
    def documents_in_flight(self) -> int:
        return len(self._documents)

    def add(self, document: Document, tag: object = None) -> None:
        """Read a document here and send its pages to the workers; `tag` comes back with its outcome."""
        outcome = Outcome(document)
        try:
            if document.refused:  # the source could not hand it over whole (e.g. too large to download)
                self._finished.append((Outcome(document, error=document.refused, slug="too-large"), tag))
                return
            outcome = Outcome(document, read_document(document, self.ocr, self.limits))
            jobs = ocr_jobs(outcome.item, self.ocr, self.limits)
        except Exception as exc:  # noqa: BLE001 - an ItemError's reason, or a bug: this document only
            self._finished.append((failed(STAGE, outcome, exc), tag))
            return
        if not jobs:
            self._finished.append((outcome, tag))
            return
        number = self._next_document
        self._next_document += 1
        pages = list(range(self._next_page, self._next_page + len(jobs)))
        self._next_page += len(jobs)
        self._documents[number] = _InFlight(outcome, tag, pages, len(pages))
        for index, job in zip(pages, jobs):
            self._jobs[index], self._owner[index], self._tries[index] = job, number, 0
            self._submit(index)

    def take(self, block: bool = False) -> list[tuple[Outcome, object]]:
        """The documents finished so far; with `block`, wait until at least one is (if any is in flight)."""
        self._collect(timeout=0)
        while block and not self._finished and self._futures:
            self._collect(timeout=None)
        finished, self._finished = self._finished, []
        return finished

    def drain(self) -> list[tuple[Outcome, object]]:
        """Every document still in flight, once all its pages are back."""
        finished = []
        while self._futures or self._finished:
            finished += self.take(block=True)
        return finished

    def _submit(self, index: int) -> None:
        self._tries[index] += 1
        try:
            future = self.pool.submit_page(index, self._jobs[index])
        except Exception as exc:  # noqa: BLE001
            if not self.pool.broken(exc):
                raise
            self._recover()  # a worker died before we looked: its pages are found, this one goes again
            future = self.pool.submit_page(index, self._jobs[index])
        self._futures[future] = index

    def _collect(self, timeout: float | None) -> None:
        if not self._futures:
            return
        done, _ = wait(list(self._futures), timeout=timeout, return_when=FIRST_COMPLETED)
        for future in done:
            index = self._futures.pop(future, None)
            if index is None or future.cancelled():
                continue  # cancelled for the budget: its result is already recorded
            exc = future.exception()
            if exc is None:
                self._record(index, future.result())
            elif self.pool.broken(exc):
                self._futures[future] = index  # still unread: the recovery decides
                self._recover()
                return
            elif self.pool.died_with_worker(exc):
                self._record(index, _died(self._jobs[index]))
            else:
                log.error("OCR de la page %s : erreur interne", self._jobs[index].page_number, exc_info=exc)
                self._record(index, PageResult(self._jobs[index].key, None,
                                               f"page {self._jobs[index].page_number} : erreur interne de l'OCR "
                                               f"({type(exc).__name__})", "internal"))

    def _recover(self) -> None:
        """A worker died: its page condemns its document, the other unread pages go once more."""
        dead = {index for index in self.pool.recover() if index in self._jobs and index not in self._results}
        unread = []
        for future, index in list(self._futures.items()):
            del self._futures[future]
            if future.cancelled():
                continue
            if future.done() and future.exception() is None:
                self._record(index, future.result())
            else:
                unread.append(index)
        condemned = {self._owner[index] for index in dead}
        for index in sorted(dead):
            self._record(index, _died(self._jobs[index]))
        for index in unread:
            if index in self._results or index not in self._owner:  # read, or its document already finished
                continue
            if self._owner[index] in condemned or self._tries[index] >= 2:
                job = self._jobs[index]
                self._record(index, PageResult(job.key, None, f"page {job.page_number} : non lue, un processus "
                                               "d'OCR s'est arrêté brutalement", WORKER_DIED))
            else:
                self._submit(index)

    def _record(self, index: int, result: PageResult) -> None:
        if index in self._results or index not in self._owner:  # already recorded, or its document finished
            return
        self._results[index] = result
        number = self._owner[index]
        document = self._documents[number]
        document.spent += result.seconds
        document.left -= 1
        if document.spent > self.limits.ocr_seconds_per_item and not document.stopped:
            document.stopped = True
            self._stop(document)
        if document.left == 0 and number in self._documents:  # not already finished by _stop
            self._finish(number)

    def _stop(self, document: _InFlight) -> None:
        """The document spent its OCR budget: its pages not started yet are not read."""
        budget = self.limits.ocr_seconds_per_item
        for future, index in list(self._futures.items()):
            if index in document.pages and future.cancel():
                del self._futures[future]
                job = self._jobs[index]
                self._record(index, PageResult(job.key, None, f"page {job.page_number} : non lue, budget d'OCR "
                                               f"de {budget:g} s par document dépassé", "ocr-budget"))

    def _finish(self, number: int) -> None:
        document = self._documents.pop(number)
        results = [self._results.pop(index) for index in document.pages]
        for index in document.pages:
            del self._jobs[index], self._owner[index], self._tries[index]
        try:
            outcome = Outcome(document.outcome.document, apply_ocr(document.outcome.item, results))
        except Exception as exc:  # noqa: BLE001 - this document only
            outcome = failed(STAGE, document.outcome, exc)
        self._finished.append((outcome, document.tag))


def _died(job: PageJob) -> PageResult:
    return PageResult(job.key, None, f"page {job.page_number} : le processus d'OCR s'est arrêté brutalement "
                      "sur cette page (mémoire ?)", WORKER_DIED)


class ExecutorPages:
    """A plain Executor (threads, or any concurrent.futures executor): no worker to lose, nothing to recover."""

    def __init__(self, executor: Executor):
        self.executor = executor

    def submit_page(self, index: int, job: PageJob) -> Future:
        return self.executor.submit(ocr_page, job)

    @staticmethod
    def broken(exc: BaseException) -> bool:
        return False

    @staticmethod
    def recover() -> set[int]:
        return set()

    @staticmethod
    def died_with_worker(exc: BaseException) -> bool:
        return False


def page_pool(pool):
    return pool if hasattr(pool, "submit_page") else ExecutorPages(pool)


def read_all(documents: list[Document], ocr: OcrSettings, pool, limits: LimitsSettings) -> list[Outcome]:
    """Every document read, its pages over the pool; one Outcome per document, in their order."""
    stream = PageStream(pool, ocr, limits)
    for position, document in enumerate(documents):
        stream.add(document, position)
    outcomes: list[Outcome | None] = [None] * len(documents)
    for outcome, position in stream.drain():
        outcomes[position] = outcome
    return outcomes

