"""The stages every document goes through, shared by `triage run` and `triage evaluate`.

extract → OCR (process pool) → places and urgency → competence → routing. No database here:
the batch runner stores what comes out, the evaluation compares it with labels.
"""
from __future__ import annotations

import multiprocessing
from concurrent.futures import Executor, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from pipeline.classify.predict import CompetenceModel
from pipeline.config import Settings
from pipeline.errors import ItemError
from pipeline.extract.document import apply_ocr, ocr_jobs, read_document
from pipeline.extract.ocr import PageResult, init_worker, ocr_page
from pipeline.item import Document, Item
from pipeline.reference import Reference, load_reference
from pipeline.route import route
from pipeline.routing_table import RoutingTable, load_routing_table
from pipeline.understand.gazetteer import Gazetteer, load_gazetteer
from pipeline.understand.places import find_places
from pipeline.understand.urgency import urgency


@dataclass(frozen=True)
class Outcome:
    """What became of one document: an item, or the reason it must be quarantined."""

    document: Document
    item: Item | None = None
    error: str | None = None


def ocr_pool(workers: int) -> Executor:
    """One tesseract thread per process, pages spread over processes."""
    return ProcessPoolExecutor(max_workers=workers, initializer=init_worker,
                               mp_context=multiprocessing.get_context("forkserver"))


@dataclass
class Stages:
    settings: Settings
    reference: Reference
    gazetteer: Gazetteer
    routing_table: RoutingTable
    model: CompetenceModel

    @classmethod
    def load(cls, settings: Settings) -> "Stages":
        """Load reference data, spaCy, the gazetteer and the active model once for the whole run."""
        return cls(settings, load_reference(settings.reference_dir), load_gazetteer(settings.reference_dir),
                   load_routing_table(settings.routing_file),
                   CompetenceModel.load(settings.classifier.model_dir))

    def process(self, documents: list[Document], pool: Executor, today: date | None = None) -> list[Outcome]:
        """Run every stage over a chunk of documents; one bad document never stops the others."""
        today = today or date.today()
        read = [self._read(document) for document in documents]
        items = self._ocr([o for o in read if o.item is not None], pool)
        ready = [o.item for o in items if o.item is not None]
        classified = iter(self.model.classify([self.understand(item) for item in ready]))
        done = {}
        for outcome in items:
            if outcome.item is not None:
                item = route(next(classified), self.routing_table, self.reference,
                             self.settings.classifier.review_threshold, today)
                outcome = Outcome(outcome.document, item)
            done[id(outcome.document)] = outcome
        return [done.get(id(o.document), o) for o in read]

    def understand(self, item: Item) -> Item:
        """Places (commune + evidence) and urgency."""
        text = item.text
        decision = find_places(text, self.gazetteer, sender_email=item.sender_email,
                               ocr=item.ocr_confidence is not None)
        urgent, reasons = urgency(text)
        return item.with_(places=decision.places, commune=decision.commune, commune_evidence=decision.evidence,
                          urgent=urgent, urgent_reasons=reasons)

    def _read(self, document: Document) -> Outcome:
        try:
            return Outcome(document, read_document(document, self.settings.ocr))
        except ItemError as exc:
            return Outcome(document, error=str(exc))

    def _ocr(self, outcomes: list[Outcome], pool: Executor) -> list[Outcome]:
        jobs, owners = [], []
        for index, outcome in enumerate(outcomes):
            try:
                item_jobs = ocr_jobs(outcome.item, self.settings.ocr)
            except ItemError as exc:
                outcomes[index] = Outcome(outcome.document, error=str(exc))
                continue
            jobs.extend(item_jobs)
            owners.extend([index] * len(item_jobs))
        try:
            results = list(pool.map(ocr_page, jobs)) if jobs else []
        except BrokenProcessPool:
            results = [PageResult(job.key, None, "le processus d'OCR s'est arrêté brutalement") for job in jobs]
        per_item: dict[int, list[PageResult]] = {}
        for owner, result in zip(owners, results):
            per_item.setdefault(owner, []).append(result)
        out = []
        for index, outcome in enumerate(outcomes):
            if outcome.item is None or index not in per_item:
                out.append(outcome)
                continue
            try:
                out.append(Outcome(outcome.document, apply_ocr(outcome.item, per_item[index])))
            except ItemError as exc:
                out.append(Outcome(outcome.document, error=str(exc)))
        return out
