"""A run, start to end: the table of contents of triage.

    lock → open the database → queued quarantine retries first, then each source, by chunks:
        skip what is already stored → read each document, its pages streamed to the OCR workers
        (extract/stream.py) → as documents come back read, in any order, by groups of CHUNK:
        places, competence, routing (stages.py)
        → store each outcome, item or quarantine, in its own commit (store/outcomes.py)
        → only then tell the source it is done; a source is closed once all its documents are
    → summary and exit code

The workers never wait for a chunk's slowest page: pages of the next documents, even of the next
source, are already queued (READ_AHEAD per worker), and while the stages still load (runner.py)
documents are read on, their pages sent, up to LOADING_BACKLOG of them waiting. Commits happen in
the order documents finish, which only changes which chrono number each gets.

Nothing about one document stops the run: each stage isolates the document that raises, and a
commit the database refuses quarantines that document only. A source that breaks is reported
(exit 4) and the next source is read. Only what makes every later document fail too stops the
run: the database or the file store lost (exit 12), Ctrl-C.
"""
from __future__ import annotations

import logging
from collections import Counter
from dataclasses import dataclass, field
from concurrent.futures import Future
from itertools import islice
from typing import TYPE_CHECKING, Callable, Iterable, Iterator

from pipeline.config import Settings
from pipeline.errors import ExitCode, FatalError
from pipeline.extract.stream import PageStream
from pipeline.item import Document
from pipeline.sources import Source, SourceError
from pipeline.outcome import Outcome
from pipeline.store import items, quarantine, runs
from pipeline.store.database import Database, StoreFailure
from pipeline.store.files import FileStore
from pipeline.store.outcomes import store_outcome

if TYPE_CHECKING:  # loaded in a thread by the runner: importing it (spaCy, scikit-learn) is part of the wait
    from pipeline.stages import Stages

log = logging.getLogger("triage.batch")
CHUNK = 8  # documents read from a source, and documents going through the later stages, together
READ_AHEAD = 4  # pages waiting per worker: enough that a worker finishing a page always finds the next
LOADING_BACKLOG = 256  # documents read while the stages still load (runner.py), before waiting for them


@dataclass
class SourceSummary:
    name: str
    counts: Counter = field(default_factory=Counter)  # fetched, stored, duplicates, quarantined
    error: str | None = None


@dataclass
class RunSummary:
    run_id: int | None
    sources: list[SourceSummary]
    routed: list[dict] = field(default_factory=list)  # one row per stored item, for the closing table
    quarantine_reasons: Counter = field(default_factory=Counter)  # quarantined documents by reason slug

    @property
    def totals(self) -> Counter:
        return sum((s.counts for s in self.sources), Counter())

    @property
    def exit_code(self) -> ExitCode:
        if any(s.error for s in self.sources):
            return ExitCode.SOURCE_FAILED
        if self.totals["quarantined"]:
            return ExitCode.ITEMS_QUARANTINED
        return ExitCode.OK


def run_batch(sources: list[Source], stages: Stages | Future, sessions: Database, files: FileStore, pool, *,
              dry_run: bool = False, on_progress: Callable[[str], None] | None = None,
              settings: Settings | None = None) -> RunSummary:
    """Process every source; a failing source or document never stops the others.

    `stages` may still be loading (a Future, see runner.py): reading and OCR start at once, and only
    the stages after reading wait for it; `settings` then says how to read."""
    with sessions() as session:
        run_id = None if dry_run else runs.start(session)
    settings = settings or stages.settings
    batch = _Batch(stages, sessions, files, run_id, dry_run, RunSummary(run_id, []), on_progress,
                   PageStream(pool, settings.ocr, settings.limits), read_ahead=READ_AHEAD * _workers(pool))
    try:
        for source in sources:
            batch.drain(source)
        batch.finish()
    finally:
        batch.close_all()  # on a fatal error too: what was committed is applied to its source (IMAP flags)
    summary = batch.summary
    if not dry_run:
        with sessions() as session:
            runs.finish(session, run_id, status=_status(summary), counts=dict(summary.totals),
                        errors=[f"{s.name} : {s.error}" for s in summary.sources if s.error],
                        exit_code=int(summary.exit_code))
    return summary


def _chunks(documents: Iterable[Document], size: int) -> Iterator[list[Document]]:
    """Chunks of documents; when a source fails mid-way, what it already handed over is processed first."""
    iterator = iter(documents)
    while True:
        chunk: list[Document] = []
        try:
            for document in islice(iterator, size):
                chunk.append(document)
        except Exception:  # noqa: BLE001 - the source's failure, reported by drain() after this chunk
            if chunk:
                yield chunk
            raise
        if not chunk:
            return
        yield chunk


def _workers(pool) -> int:
    return max(int(getattr(pool, "workers", 0) or 0), 1)


@dataclass
class _Open:
    """A source being read: closed once it handed everything over and each of its documents is concluded."""

    source: Source
    result: SourceSummary
    in_flight: int = 0
    fetched_all: bool = False
    closed: bool = False
    broken: bool = False  # it failed after a commit (e.g. done/ unusable): read no more of it


@dataclass
class _Batch:
    stages: Stages | Future
    sessions: Database
    files: FileStore
    run_id: int | None
    dry_run: bool
    summary: RunSummary
    on_progress: Callable[[str], None] | None
    stream: PageStream
    read_ahead: int  # pages sent to the workers ahead of them, so that none waits for the next document
    ready: list[tuple[Outcome, _Open]] = field(default_factory=list)  # read, waiting for the later stages
    opened: list[_Open] = field(default_factory=list)

    def drain(self, source: Source) -> None:
        """Every document of one source into the stream; the source's own failure is reported and the run goes on."""
        state = _Open(source, SourceSummary(source.name))
        self.summary.sources.append(state.result)
        self.opened.append(state)
        try:
            for chunk in _chunks(source.fetch(), CHUNK):
                if state.broken:
                    break
                state.result.counts["fetched"] += len(chunk)
                self.admit(chunk, state)
                if self.on_progress:
                    self.on_progress(f"{source.name} : {state.result.counts['fetched']} documents lus")
        except (FatalError, StoreFailure):
            raise  # the database or the file store is gone: every later document would fail too
        except Exception as exc:  # noqa: BLE001 - SourceError, or a bug in one source: the others go on
            _fail(state.result, exc)
        state.fetched_all = True
        self._close_if_concluded(state)

    def admit(self, chunk: list[Document], state: _Open) -> None:
        """Skip what is already stored or quarantined (no OCR for a rerun); the rest enters the stream."""
        known, fresh = [], []
        with self.sessions() as session:
            for document in chunk:
                refused = quarantine.open_reason(session, document.sha256)
                if items.find_existing(session, document.sha256) is not None:
                    known.append(Outcome(document))  # neither item nor error: a duplicate
                elif refused is not None:  # same bytes, same reason; an admin's retry reads them again
                    known.append(Outcome(document, error=refused[0], slug=refused[1]))
                else:
                    fresh.append(document)
        state.in_flight += len(chunk)
        for outcome in known:
            self._conclude(outcome, state)
        for document in fresh:
            self.stream.add(document, state)
            self.ready += self.stream.take()
            while self.stream.pages_in_flight > self.read_ahead or len(self.ready) >= CHUNK:
                if not self._stages_ready():
                    if self.stream.pages_in_flight <= self.read_ahead:
                        break  # read on: the workers get the next pages while spaCy and the model load
                    self.ready += self.stream.take(block=True)
                    continue
                self._advance()

    def _stages_ready(self) -> bool:
        """The stages after reading can run now (or enough documents wait for them that reading pauses)."""
        return (not isinstance(self.stages, Future) or self.stages.done()
                or len(self.ready) >= LOADING_BACKLOG)

    def finish(self) -> None:
        """The documents still being read, as they come back."""
        while True:
            self.ready += self.stream.take()
            if not (self.ready or self.stream.pages_in_flight):
                return
            self._advance()

    def _advance(self) -> None:
        """Conclude what is read; only when nothing is, wait for the workers (the main process never idles first)."""
        self.ready += self.stream.take(block=not self.ready)
        batch, self.ready = self.ready[:CHUNK], self.ready[CHUNK:]
        if not batch:
            return
        stages = self.stages.result() if isinstance(self.stages, Future) else self.stages
        outcomes = stages.after_reading([outcome for outcome, _ in batch])
        for outcome, (_, state) in zip(outcomes, batch, strict=True):
            self._conclude(outcome, state)

    def _conclude(self, outcome: Outcome, state: _Open) -> None:
        """Store the outcome (its own commit), count it, and only then tell the source."""
        result = state.result
        if self.dry_run:
            result.counts["duplicates" if outcome.item is None and outcome.error is None
                          else "quarantined" if outcome.error else "stored"] += 1
            if outcome.item:
                self.summary.routed.append(_table_row(outcome.item, None))
        else:
            self._store(outcome, state)
        state.in_flight -= 1
        self._close_if_concluded(state)

    def _store(self, outcome: Outcome, state: _Open) -> None:
        document, result = outcome.document, state.result
        stages = self.stages.result() if isinstance(self.stages, Future) else self.stages
        stored = store_outcome(self.sessions, self.files, outcome, run_id=self.run_id,
                               chrono_pattern=stages.settings.chrono_pattern)
        result.counts[COUNTED[stored.kind]] += 1
        if stored.kind == "stored":
            self.summary.routed.append(_table_row(outcome.item, stored.chrono))
            log.info("stored %s as %s", document.ref, stored.chrono, extra={"item": stored.chrono})
        elif stored.kind == "duplicate":
            log.info("duplicate of %s: %s", stored.chrono, document.ref, extra={"item": stored.chrono})
        else:
            self.summary.quarantine_reasons[stored.slug] += 1
            log.warning("quarantined %s [%s]: %s", document.ref, stored.slug, stored.reason,
                        extra={"item": document.ref})
        if state.broken:
            return  # committed but left in its source: the next run finds it again, as a duplicate
        try:
            state.source.done(document, stored.kind, stored.reason)
        except (FatalError, StoreFailure):
            raise
        except Exception as exc:  # noqa: BLE001 - this source's failure (its documents may be concluded later)
            state.broken = True
            _fail(state.result, exc)

    def _close_if_concluded(self, state: _Open) -> None:
        if state.fetched_all and state.in_flight == 0:
            self._close(state)

    def close_all(self) -> None:
        for state in self.opened:
            self._close(state)

    @staticmethod
    def _close(state: _Open) -> None:
        if state.closed:
            return
        state.closed = True
        try:
            state.source.close()  # may apply what the source does after the commit (IMAP flags, moves)
        except Exception as exc:  # noqa: BLE001
            _fail(state.result, exc)
        state.result.counts.update(getattr(state.source, "counts", None) or {})  # e.g. IMAP: messages not fetchable


COUNTED = {"stored": "stored", "duplicate": "duplicates", "quarantined": "quarantined"}


def _fail(result: SourceSummary, exc: Exception) -> None:
    if isinstance(exc, SourceError):
        message = str(exc)
        log.error("source %s failed: %s", result.name, exc)
    else:
        message = f"erreur interne de la source ({type(exc).__name__}) : voir le journal"
        log.error("source %s failed", result.name, exc_info=exc)
    result.error = f"{result.error} ; {message}" if result.error else message


def _status(summary: RunSummary) -> str:
    return {ExitCode.OK: "ok", ExitCode.ITEMS_QUARANTINED: "partial"}.get(summary.exit_code, "failed")


def _table_row(item, chrono: str | None) -> dict:
    return {"chrono": chrono or "-", "file": item.document.filename, "competence": item.competence,
            "confidence": item.competences[0].probability if item.competences else None,
            "commune": item.commune, "destination": item.routing.destination, "status": item.routing.status,
            "urgent": item.urgent, "due_date": item.routing.due_date}
