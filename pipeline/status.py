"""Item statuses: one list, with the French words a clerk reads.

new → routed (auto, confident) | to_review → confirmed | corrected → handled (by the service)
"""
from __future__ import annotations

from enum import StrEnum


class ItemStatus(StrEnum):
    ROUTED = "routed"
    TO_REVIEW = "to_review"
    CONFIRMED = "confirmed"
    CORRECTED = "corrected"
    HANDLED = "handled"

    @property
    def label(self) -> str:
        """The badge on the review page and the word in reports, exports and the CLI."""
        return LABELS[self]


LABELS = {ItemStatus.ROUTED: "Orienté automatiquement", ItemStatus.TO_REVIEW: "À vérifier",
          ItemStatus.CONFIRMED: "Confirmé", ItemStatus.CORRECTED: "Corrigé", ItemStatus.HANDLED: "Traité"}

OPEN = (ItemStatus.ROUTED, ItemStatus.TO_REVIEW, ItemStatus.CONFIRMED, ItemStatus.CORRECTED)  # not yet handled
SETTLED = (ItemStatus.ROUTED, ItemStatus.CONFIRMED, ItemStatus.CORRECTED)  # routing decided: letters may go
REVIEWED = (ItemStatus.CONFIRMED, ItemStatus.CORRECTED, ItemStatus.HANDLED)  # a clerk's label: training signal


def label(status: str) -> str:
    """French label of a stored status string (unknown strings shown as they are)."""
    try:
        return ItemStatus(status).label
    except ValueError:
        return status
