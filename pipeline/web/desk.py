"""The review desk shared by a team: who has which item open, and the way back from a last action.

Claims (pipeline/store/claims.py) keep two clerks off the same item: "Commencer", "Passer" and the
automatic advance after a decision all go through `claim_next`, which only hands out an item the
clerk could claim. Undo (pipeline/store/undo.py) is offered in the flash message that follows an
action and with the key `z`.
"""
from __future__ import annotations

from fastapi import Request

from pipeline.store import claims
from pipeline.store import queue as store_queue
from pipeline.store.queue import Position, QueueView

TRIES = 8  # lost races in a row before giving up (each loss means a colleague took that item)


def claim_next(request: Request, session, view: QueueView, position: Position | None, user: str,
               exclude: int | None = None) -> int | None:
    """The next item of the view that nobody else has open, claimed for this clerk (None when none is left)."""
    searching = request.app.state.searching
    minutes = request.app.state.settings.web.claim_minutes
    for _ in range(TRIES):
        found = store_queue.next_item_id(session, view, searching, position, exclude=exclude, user=user)
        if found is None:
            return None
        if claims.take(session, found, user, minutes) is None:
            return found
    return None


def undo_flash(request: Request, message: str, url: str, kind: str = "ok") -> None:
    """A flash message with an "Annuler" button (POST to `url`), also reachable with the key z."""
    request.session["flash"] = [*request.session.get("flash", []), [kind, message, url]]
