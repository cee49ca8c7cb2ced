"""What became of one document, and how a stage's exception becomes that document's quarantine.

Shared by the stages (pipeline/stages.py) and the reading stream (pipeline/extract/stream.py), which
finishes documents one by one as their pages come back from the OCR workers.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass, replace

from pipeline.errors import ItemError
from pipeline.item import Document, Item

log = logging.getLogger("triage.stages")
INTERNAL_SLUG = "internal"


@dataclass(frozen=True)
class Outcome:
    """What became of one document: an item, or the reason (and its slug) it must be quarantined."""

    document: Document
    item: Item | None = None
    error: str | None = None
    slug: str = "unreadable"


def failed(name: str, outcome: Outcome, exc: Exception) -> Outcome:
    """The quarantine outcome of a failed stage: an ItemError's own words, else "internal" (traceback logged)."""
    if isinstance(exc, ItemError):
        return replace(outcome, item=None, error=str(exc), slug=exc.slug)
    log.error("stage %s failed on %s", name, outcome.document.ref, exc_info=exc,
              extra={"item": outcome.document.ref})
    return replace(outcome, item=None, slug=INTERNAL_SLUG,
                   error=f"erreur interne à l'étape « {name} » ({type(exc).__name__}) : voir le journal")
