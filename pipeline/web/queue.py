"""The review queue's address bar: filters read from and written to the query string.

Filters travel in the query string (French names) so a clerk can bookmark or share a view of
the queue; the queries themselves are in pipeline/store/queue.py.
"""
from __future__ import annotations

import re
from dataclasses import replace
from datetime import date
from urllib.parse import urlencode

from pipeline.status import ItemStatus
from pipeline.store.queue import ALL, NO_COMMUNE, QueueView

# The queue's tabs, in the order clerks work through them.
STATUS_TABS = (ItemStatus.TO_REVIEW, ItemStatus.ROUTED, ItemStatus.CONFIRMED, ItemStatus.CORRECTED,
               ItemStatus.HANDLED)
CHANNELS = {"email": "Courriel", "courrier": "Courrier papier"}
SUBJECT_LINE = re.compile(r"^\s*(?:objet|obj\.?|concerne)\s*:\s*(.+)$", re.IGNORECASE | re.MULTILINE)
__all__ = ["ALL", "NO_COMMUNE", "STATUS_TABS", "CHANNELS", "Filters", "default_status", "display_subject"]


def display_subject(subject: str | None, text: str | None) -> str:
    """The subject, or for a scanned letter its "Objet :" line, else its first line."""
    if subject:
        return subject
    found = SUBJECT_LINE.search(text or "")
    if found:
        return found.group(1).strip()[:200]
    first = next((line.strip() for line in (text or "").splitlines() if line.strip()), "")
    return first[:120] or "(sans objet)"


def default_status(q: str) -> str:
    """The tab a view opens on: "à vérifier", but every status for a search (a citizen calling with
    a chrono number, a name: the clerk does not know where the letter stands)."""
    return ALL if q else ItemStatus.TO_REVIEW


class Filters(QueueView):
    """A view of the queue as the address bar spells it."""

    @classmethod
    def from_params(cls, params) -> "Filters":
        """Read the query string leniently: a malformed value is ignored, never an error page."""
        q = params.get("q", "")[:200].strip()
        status = params.get("statut") or default_status(q)
        return cls(status=ItemStatus(status) if status in STATUS_TABS else ALL if status == ALL
                   else default_status(q),
                   competence=params.get("competence", "")[:40], commune=params.get("commune", "")[:10],
                   channel=params.get("canal", "") if params.get("canal", "") in CHANNELS else "",
                   date_from=_date(params.get("du")), date_to=_date(params.get("au")),
                   q=q, urgent=params.get("urgent") == "1",
                   min_confidence=_int(params.get("confiance_min"), 0, 100), page=_int(params.get("page"), 1) or 1,
                   after=params.get("apres", "")[:40])

    def params(self, **changes) -> dict[str, str]:
        """The query string of this view with `changes`; the page cursor only when given (the "next" link)."""
        current = replace(self, **{"after": "", **changes})
        out = {"statut": current.status if current.status != default_status(current.q) else "",
               "competence": current.competence, "commune": current.commune, "canal": current.channel,
               "du": current.date_from.isoformat() if current.date_from else "",
               "au": current.date_to.isoformat() if current.date_to else "", "q": current.q,
               "urgent": "1" if current.urgent else "",
               "confiance_min": str(current.min_confidence) if current.min_confidence is not None else "",
               "page": str(current.page) if current.page > 1 else "", "apres": current.after}
        return {k: str(v) for k, v in out.items() if v}

    def query_string(self, **changes) -> str:
        return urlencode(self.params(**changes))

    @property
    def active(self) -> bool:
        """Whether anything narrows the view besides the status."""
        return bool(self.competence or self.commune or self.channel or self.date_from or self.date_to or self.q
                    or self.urgent or self.min_confidence is not None)


def _date(value: str | None) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None


def _int(value: str | None, low: int, high: int | None = None) -> int | None:
    try:
        number = int(value) if value not in (None, "") else None
    except ValueError:
        return None
    if number is None:
        return None
    return max(low, min(number, high)) if high is not None else max(low, number)

