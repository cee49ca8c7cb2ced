"""A run, start to end: the table of contents of triage.

    lock → open the database → queued quarantine retries first, then each source, by chunks:
        skip what is already stored → extract, OCR, places, competence, routing (stages.py)
        → store each outcome, item or quarantine, in its own commit (store/outcomes.py)
        → only then tell the source it is done
    → summary and exit code

Nothing about one document stops the run: each stage isolates the document that raises, and a
commit the database refuses quarantines that document only. A source that breaks is reported
(exit 4) and the next source is read. Only what makes every later document fail too stops the
run: the database or the file store lost (exit 12), Ctrl-C.
"""
from __future__ import annotations

import logging
from collections import Counter
from dataclasses import dataclass, field
from itertools import islice
from typing import Callable, Iterable, Iterator

from pipeline.errors import ExitCode, FatalError
from pipeline.item import Document
from pipeline.sources import Source, SourceError
from pipeline.stages import Outcome, Stages
from pipeline.store import items, quarantine, runs
from pipeline.store.database import Database, StoreFailure
from pipeline.store.files import FileStore
from pipeline.store.outcomes import store_outcome

log = logging.getLogger("triage.batch")
CHUNK = 8  # documents processed (and OCR pages pooled) together before their commits


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


def run_batch(sources: list[Source], stages: Stages, sessions: Database, files: FileStore, pool, *,
              dry_run: bool = False, on_progress: Callable[[str], None] | None = None) -> RunSummary:
    """Process every source; a failing source or document never stops the others."""
    with sessions() as session:
        run_id = None if dry_run else runs.start(session)
    batch = _Batch(stages, sessions, files, pool, run_id, dry_run, RunSummary(run_id, []))
    for source in sources:
        batch.drain(source, on_progress)
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


@dataclass
class _Batch:
    stages: Stages
    sessions: Database
    files: FileStore
    pool: object
    run_id: int | None
    dry_run: bool
    summary: RunSummary

    def drain(self, source: Source, on_progress: Callable[[str], None] | None) -> None:
        """Every document of one source; the source's own failure is reported and the run goes on."""
        result = SourceSummary(source.name)
        self.summary.sources.append(result)
        try:
            for chunk in _chunks(source.fetch(), CHUNK):
                result.counts["fetched"] += len(chunk)
                self.process_chunk(chunk, source, result)
                if on_progress:
                    on_progress(f"{source.name} : {result.counts['fetched']} documents lus")
        except (FatalError, StoreFailure):
            raise  # the database or the file store is gone: every later document would fail too
        except Exception as exc:  # noqa: BLE001 - SourceError, or a bug in one source: the others go on
            _fail(result, exc)
        finally:
            try:
                source.close()  # may apply what the source does after the commit (IMAP flags, moves)
            except Exception as exc:  # noqa: BLE001
                _fail(result, exc)
            result.counts.update(getattr(source, "counts", None) or {})  # e.g. IMAP: messages not fetchable

    def process_chunk(self, chunk: list[Document], source: Source, result: SourceSummary) -> None:
        """Skip what is already stored or quarantined (no OCR for a rerun), process the rest, store one by one."""
        outcomes, fresh = [], []
        with self.sessions() as session:
            for document in chunk:
                refused = quarantine.open_reason(session, document.sha256)
                if items.find_existing(session, document.sha256) is not None:
                    outcomes.append(Outcome(document))  # neither item nor error: a duplicate
                elif refused is not None:  # same bytes, same reason; an admin's retry reads them again
                    outcomes.append(Outcome(document, error=refused[0], slug=refused[1]))
                else:
                    fresh.append(document)
        outcomes += self.stages.process(fresh, self.pool)
        for outcome in outcomes:
            if self.dry_run:
                result.counts["duplicates" if outcome.item is None and outcome.error is None
                              else "quarantined" if outcome.error else "stored"] += 1
                if outcome.item:
                    self.summary.routed.append(_table_row(outcome.item, None))
            else:
                self._conclude(outcome, source, result)

    def _conclude(self, outcome: Outcome, source: Source, result: SourceSummary) -> None:
        """Store the outcome (its own commit), count it, and only then tell the source."""
        document = outcome.document
        stored = store_outcome(self.sessions, self.files, outcome, run_id=self.run_id,
                               chrono_pattern=self.stages.settings.chrono_pattern)
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
        source.done(document, stored.kind, stored.reason)


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
