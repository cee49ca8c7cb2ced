"""The stages every document goes through, shared by `triage run` and `triage evaluate`.

extract → OCR (process pool) → places and urgency → competence → routing. No database here:
the batch runner stores what comes out, the evaluation compares it with labels.
"""
from __future__ import annotations

from concurrent.futures import Executor
from dataclasses import dataclass
from datetime import date

from pipeline.classify.predict import CompetenceModel
from pipeline.config import Settings
from pipeline.extract.pool import extract, ocr_pool  # noqa: F401 (ocr_pool: for the stages' callers)
from pipeline.item import Document, Item
from pipeline.reference import Reference, load_reference
from pipeline.route import route
from pipeline.routing_table import RoutingTable, load_routing_table
from pipeline.understand.gazetteer import Gazetteer, load_gazetteer
from pipeline.understand.nlp import load_nlp
from pipeline.understand.places import find_places
from pipeline.understand.urgency import urgency


@dataclass(frozen=True)
class Outcome:
    """What became of one document: an item, or the reason (and its slug) it must be quarantined."""

    document: Document
    item: Item | None = None
    error: str | None = None
    slug: str = "unreadable"


@dataclass
class Stages:
    settings: Settings
    reference: Reference
    gazetteer: Gazetteer
    routing_table: RoutingTable
    model: CompetenceModel

    @classmethod
    def load(cls, settings: Settings) -> "Stages":
        """Load reference data, spaCy, the gazetteer and the active model once for the whole run.

        spaCy is loaded here and handed to the two stages that read text with it (places and the
        classifier's features), reading at most `limits.max_text_chars` of each text."""
        nlp = load_nlp(settings.limits.max_text_chars)
        return cls(settings, load_reference(settings.reference_dir), load_gazetteer(settings.reference_dir, nlp),
                   load_routing_table(settings.routing_file),
                   CompetenceModel.load(settings.classifier.model_dir, nlp=nlp))

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
