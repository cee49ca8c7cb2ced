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

from pipeline.classify.predict import CompetenceModel
from pipeline.config import OcrSettings, Settings
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
        outcomes = extract(documents, self.settings.ocr, pool)
        ready = [o.item for o in outcomes if o.item is not None]
        classified = iter(self.model.classify([self.understand(item) for item in ready]))
        return [Outcome(o.document, self.route(next(classified), today)) if o.item is not None else o
                for o in outcomes]

    def understand(self, item: Item) -> Item:
        """Places (commune + evidence) and urgency."""
        text = item.text
        decision = find_places(text, self.gazetteer, sender_email=item.sender_email,
                               ocr=item.ocr_confidence is not None)
        urgent, reasons = urgency(text)
        return item.with_(places=decision.places, commune=decision.commune, commune_evidence=decision.evidence,
                          urgent=urgent, urgent_reasons=reasons)

    def route(self, item: Item, today: date) -> Item:
        """Destination and due date; the model's own threshold for this competence decides the review."""
        threshold = self.model.threshold(item.competence, self.settings.classifier.review_threshold)
        return route(item, self.routing_table, self.reference, threshold, today)


def extract(documents: list[Document], ocr: OcrSettings, pool: Executor) -> list[Outcome]:
    """Read every document, OCR their pages over the pool; results in the documents' order."""
    outcomes = [_read(document, ocr) for document in documents]
    jobs, owners = [], []
    for index, outcome in enumerate(outcomes):
        if outcome.item is None:
            continue
        try:
            item_jobs = ocr_jobs(outcome.item, ocr)
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
    for index, page_results in per_item.items():
        try:
            outcomes[index] = Outcome(outcomes[index].document, apply_ocr(outcomes[index].item, page_results))
        except ItemError as exc:
            outcomes[index] = Outcome(outcomes[index].document, error=str(exc))
    return outcomes


def _read(document: Document, ocr: OcrSettings) -> Outcome:
    if document.refused:
        return Outcome(document, error=document.refused)
    try:
        return Outcome(document, read_document(document, ocr))
    except ItemError as exc:
        return Outcome(document, error=str(exc))
