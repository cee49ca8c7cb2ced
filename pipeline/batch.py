"""A run, start to end: the table of contents of triage.

    lock → open the database → for each source, by chunks of documents:
        skip what is already stored → extract, OCR, places, competence, routing (stages.py)
        → store each item (or quarantine it) and commit → only then tell the source it is done
    → summary and exit code
"""
from __future__ import annotations

import logging
from collections import Counter
from dataclasses import dataclass, field
from itertools import islice
from typing import Callable, Iterable, Iterator

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from pipeline.errors import ExitCode
from pipeline.item import Document
from pipeline.sources import Source, SourceError
from pipeline.stages import Outcome, Stages
from pipeline.store import repository
from pipeline.store.files import FileStore

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


def run_batch(sources: list[Source], stages: Stages, sessions: sessionmaker, files: FileStore, pool, *,
              dry_run: bool = False, on_progress: Callable[[str], None] | None = None) -> RunSummary:
    """Process every source; a failing source or document never stops the others."""
    with sessions() as session:
        run_id = None if dry_run else repository.start_run(session).id
    batch = _Batch(stages, sessions, files, pool, run_id, dry_run, RunSummary(run_id, []))
    for source in sources:
        result = SourceSummary(source.name)
        batch.summary.sources.append(result)
        try:
            for chunk in _chunks(source.fetch(), CHUNK):
                result.counts["fetched"] += len(chunk)
                batch.process_chunk(chunk, source, result)
                if on_progress:
                    on_progress(f"{source.name} : {result.counts['fetched']} documents lus")
        except SourceError as exc:
            result.error = str(exc)
            log.error("source %s failed: %s", source.name, exc)
        finally:
            try:
                source.close()  # may apply what the source does after the commit (IMAP flags, moves)
            except SourceError as exc:
                result.error = f"{result.error} ; {exc}" if result.error else str(exc)
                log.error("source %s failed: %s", source.name, exc)
            result.counts.update(getattr(source, "counts", None) or {})  # e.g. IMAP: messages not fetchable
    summary = batch.summary
    if not dry_run:
        with sessions() as session:
            repository.finish_run(session, run_id, status=_status(summary), counts=dict(summary.totals),
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
        except SourceError:
            if chunk:
                yield chunk
            raise
        if not chunk:
            return
        yield chunk


@dataclass
class _Batch:
    stages: Stages
    sessions: sessionmaker
    files: FileStore
    pool: object
    run_id: int | None
    dry_run: bool
    summary: RunSummary

    def process_chunk(self, chunk: list[Document], source: Source, result: SourceSummary) -> None:
        """Skip what is already stored (no OCR for a rerun), process the rest, store one by one."""
        fresh = []
        with self.sessions() as session:
            for document in chunk:
                existing = repository.find_existing(session, document.sha256)
                if existing is None:
                    fresh.append(document)
                elif not self.dry_run:
                    self._duplicate(session, existing, document, source, result)
        for outcome in self.stages.process(fresh, self.pool):
            if self.dry_run:
                result.counts["quarantined" if outcome.error else "stored"] += 1
                if outcome.item:
                    self.summary.routed.append(_table_row(outcome.item, None))
            elif outcome.error:
                self._quarantine(outcome, source, result)
            else:
                self._store(outcome, source, result)

    def _store(self, outcome: Outcome, source: Source, result: SourceSummary) -> None:
        document, item = outcome.document, outcome.item
        with self.sessions() as session:
            existing = repository.find_existing(session, document.sha256, item.message_id, raw=document.raw,
                                                files=self.files)
            if existing is None:
                try:
                    row = repository.save_item(session, item, self.files, run_id=self.run_id,
                                               chrono_pattern=self.stages.settings.chrono_pattern)
                    session.commit()
                except IntegrityError:  # another run stored the same bytes a moment ago
                    session.rollback()
                    existing = repository.find_existing(session, document.sha256, item.message_id,
                                                        raw=document.raw, files=self.files)
                else:
                    result.counts["stored"] += 1
                    self.summary.routed.append(_table_row(item, row.chrono))
                    log.info("stored %s as %s", document.ref, row.chrono, extra={"item": row.chrono})
                    source.done(document, "stored")
                    return
            self._duplicate(session, existing, document, source, result)

    def _duplicate(self, session: Session, existing, document: Document, source: Source,
                   result: SourceSummary) -> None:
        repository.add_source(session, existing, document, self.files)
        session.commit()
        result.counts["duplicates"] += 1
        log.info("duplicate of %s: %s", existing.chrono, document.ref, extra={"item": existing.chrono})
        source.done(document, "duplicate")

    def _quarantine(self, outcome: Outcome, source: Source, result: SourceSummary) -> None:
        with self.sessions() as session:
            repository.quarantine(session, outcome.document, outcome.error, self.files, run_id=self.run_id)
            session.commit()
        result.counts["quarantined"] += 1
        log.warning("quarantined %s: %s", outcome.document.ref, outcome.error)
        source.done(outcome.document, "quarantined", outcome.error)


def _status(summary: RunSummary) -> str:
    return {ExitCode.OK: "ok", ExitCode.ITEMS_QUARANTINED: "partial"}.get(summary.exit_code, "failed")


def _table_row(item, chrono: str | None) -> dict:
    return {"chrono": chrono or "-", "file": item.document.filename, "competence": item.competence,
            "confidence": item.competences[0].probability if item.competences else None,
            "commune": item.commune, "destination": item.routing.destination, "status": item.routing.status,
            "urgent": item.urgent, "due_date": item.routing.due_date}
