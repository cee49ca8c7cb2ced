"""The stages every document goes through, shared by `triage run` and `triage evaluate`.

extract → OCR (process pool) → places and urgency → competence → routing. No database here:
the batch runner stores what comes out, the evaluation compares it with labels.

Each stage runs over the whole chunk; when it raises, it runs again one document at a time, so
the offender alone becomes a quarantine outcome (its ItemError's reason and slug, or "internal"
with the traceback in the log) and the others go on.
"""
from __future__ import annotations

import logging
from concurrent.futures import Executor
from dataclasses import dataclass, replace
from functools import partial
from datetime import date
from typing import Callable

from pipeline.classify.predict import CompetenceModel
from pipeline.config import Settings
from pipeline.extract.pool import extract, ocr_pool  # noqa: F401 (ocr_pool: for the stages' callers)
from pipeline.item import Document, Item, Part
from pipeline.knowledge import KnowledgeBase, decide, load_knowledge_file
from pipeline.outcome import Outcome, failed
from pipeline.reference import Reference, load_reference
from pipeline.route import route
from pipeline.routing_table import RoutingTable, load_routing_table
from pipeline.understand.gazetteer import Gazetteer, load_gazetteer
from pipeline.understand.nlp import load_nlp
from pipeline.understand.places import find_places
from pipeline.understand.registration import Own, register
from pipeline.understand.urgency import urgency

log = logging.getLogger("triage.stages")


@dataclass
class Stages:
    settings: Settings
    reference: Reference
    gazetteer: Gazetteer
    routing_table: RoutingTable
    model: CompetenceModel
    knowledge: KnowledgeBase | None = None  # who does what; None: the classifier alone decides

    @classmethod
    def load(cls, settings: Settings, knowledge: KnowledgeBase | None = None,
             routing_table: RoutingTable | None = None) -> "Stages":
        """Load reference data, spaCy, the gazetteer and the active model once for the whole run.

        spaCy is loaded here and handed to the two stages that read text with it (places and the
        classifier's features), reading at most `limits.max_text_chars` of each text. The knowledge
        base is the one given (the database's current version), else the shipped file."""
        nlp = load_nlp(settings.limits.max_text_chars)
        reference = load_reference(settings.reference_dir)
        if knowledge is None and shipped_knowledge(settings).exists():
            knowledge = shipped_book(settings)
        elif knowledge is None:
            log.warning("no knowledge base in %s: the classifier alone decides", settings.reference_dir)
        return cls(settings, reference, load_gazetteer(settings.reference_dir, nlp),
                   routing_table or load_routing_table(settings.routing_file),
                   CompetenceModel.load(settings.classifier.model_dir, nlp=nlp), knowledge)

    def process(self, documents: list[Document], pool: Executor, today: date | None = None) -> list[Outcome]:
        """Run every stage over a chunk of documents; one bad document never stops the others."""
        outcomes = _isolated("lecture", partial(self.read, pool=pool), [Outcome(document) for document in documents])
        return self.after_reading(outcomes, today)

    def after_reading(self, outcomes: list[Outcome], today: date | None = None) -> list[Outcome]:
        """The stages after reading, over documents read (the batch reads them as a stream: extract/stream.py)."""
        today = today or date.today()
        for name, stage in (("lieux et urgence", self.understand_all),
                            ("compétence", self.classify),
                            ("routage", partial(self.route_all, today=today)),
                            ("enregistrement", self.register_all)):
            outcomes = _isolated(name, stage, outcomes)
        return outcomes

    def read(self, documents: list[Document], pool: Executor) -> list[Outcome]:
        """Text of each document: parsing, text layers, OCR of its pages over the pool."""
        return extract(documents, self.settings.ocr, pool, self.settings.limits)

    def understand_all(self, items: list[Item]) -> list[Item]:
        """Places and urgency of each item."""
        return [self.understand(item) for item in items]

    def understand(self, item: Item) -> Item:
        """Places (commune + evidence) and urgency, read on the first `max_text_chars` of the text."""
        text = item.text[:self.settings.limits.max_text_chars]
        decision = find_places(text, self.gazetteer, sender_email=item.sender_email,
                               ocr=item.ocr_confidence is not None)
        urgent, reasons = urgency(text)
        return item.with_(places=decision.places, commune=decision.commune, commune_evidence=decision.evidence,
                          urgent=urgent, urgent_reasons=reasons)

    def classify(self, items: list[Item]) -> list[Item]:
        """Top-k competences, the model reading the first `max_text_chars` of each text."""
        limit = self.settings.limits.max_text_chars
        read = self.model.classify([_reading_copy(item, limit) for item in items])
        return [item.with_(competences=copy.competences, model_version=copy.model_version)
                for item, copy in zip(items, read, strict=True)]

    def route_all(self, items: list[Item], today: date) -> list[Item]:
        """Destination, due date and review reasons of each item."""
        return [self.route(item, today) for item in items]

    def route(self, item: Item, today: date) -> Item:
        """Destination and due date; the model's own threshold for this competence decides the review."""
        default = self.settings.classifier.review_threshold
        decision = None
        if self.knowledge is not None:
            text = item.text[:self.settings.limits.max_text_chars]
            top = item.competences[0].probability if item.competences else 0.0
            decision = decide(self.knowledge.hits(text), {s.label: s.probability for s in item.competences},
                              confident=top >= self.model.threshold(item.competence, default))
        competence = decision.competence if decision and decision.competence else item.competence
        threshold = self.model.threshold(competence, default)
        return route(item, self.routing_table, self.reference, threshold, today, decision)

    def register_all(self, items: list[Item]) -> list[Item]:
        """Registration fields (sender, address, letter date, subject...) from each letter's layout or email."""
        letters = self.settings.letters
        own = Own.of(letters.organisation, letters.address, self.reference)
        return [register(item, own) for item in items]


def shipped_knowledge(settings: Settings):
    """The knowledge base shipped with the reference data (data/reference/knowledge.toml)."""
    return settings.reference_dir / "knowledge.toml"


def shipped_book(settings: Settings) -> KnowledgeBase:
    """The shipped knowledge base, checked against the competences of the reference data."""
    codes = frozenset(c.code for c in load_reference(settings.reference_dir).competences)
    return load_knowledge_file(shipped_knowledge(settings), codes)


def _reading_copy(item: Item, limit: int) -> Item:
    """The item as the model reads it: a long text cut (the stored item keeps it whole)."""
    text = item.text
    if len(text) <= limit:
        return item
    cut = Part(name="texte", content_type="text/plain", role="body", text=text[:limit])
    return item.with_(subject="", parts=(cut,))


def _isolated(name: str, stage: Callable[[list], list], outcomes: list[Outcome]) -> list[Outcome]:
    """Apply a stage to the outcomes still going on; if it raises, again one by one to find the offender."""
    pending = [i for i, o in enumerate(outcomes) if o.error is None]
    if not pending:
        return outcomes
    try:
        results = stage([_so_far(outcomes[i]) for i in pending])
        if len(results) != len(pending):
            raise RuntimeError(f"{len(results)} results for {len(pending)} documents")
    except Exception as exc:  # noqa: BLE001 - any exception is one document's problem, found below
        if len(pending) == 1:
            results = [failed(name, outcomes[pending[0]], exc)]
        else:
            log.warning("stage %s failed on a chunk of %d documents: one at a time", name, len(pending))
            results = [_isolated(name, stage, [outcomes[i]])[0] for i in pending]
    merged = list(outcomes)
    for index, result in zip(pending, results):
        merged[index] = result if isinstance(result, Outcome) else replace(outcomes[index], item=result)
    return merged


def _so_far(outcome: Outcome) -> Item | Document:
    """What a stage works on: the item once read, the raw document before."""
    return outcome.item if outcome.item is not None else outcome.document
