"""The review queue: filters, search, pages, and confirming in bulk above a confidence."""
from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from urllib.parse import parse_qsl

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse

from pipeline.reference import HORS
from pipeline.store import queue as store
from pipeline.store import claims
from pipeline.store.review import Refused, bulk_candidates, bulk_confirm
from pipeline.store.undo import undo_batch
from pipeline.understand.nlp import fold
from pipeline.web import queue as q
from pipeline.web.auth import CurrentUser, current_user, db, flash
from pipeline.web.desk import claim_next, undo_flash
from pipeline.web.pages import render

router = APIRouter()


def commune_choices(reference) -> list[tuple[str, str, str]]:
    """(value, name, words the commune search matches: aliases and postcodes) for every choice."""
    communes = sorted(reference.communes, key=lambda c: fold(c.name))
    return [(c.insee, c.name, " ".join((*c.aliases, *c.postcodes))) for c in communes] + \
        [(HORS, "Hors territoire", "hors territoire exterieur"), (q.NO_COMMUNE, "Aucune", "aucune sans commune")]


@router.get("/file")
def queue_page(request: Request, user: CurrentUser = Depends(current_user), session=Depends(db)):
    filters = q.Filters.from_params(request.query_params)
    state = request.app.state
    counted = store.tab_counts(session, filters, state.searching)
    page = store.page(session, filters, state.searching, state.settings.web.page_size, counted)
    held = claims.held_by_others(session, [row.id for row in page.rows], user.username)
    return render(request, "queue.html", filters=filters, page=page, counts=counted[0],
                  communes=commune_choices(state.reference), all_status=q.ALL, held=held,
                  today=datetime.now(state.zone).date())


@router.get("/file/commencer")
def start(request: Request, user: CurrentUser = Depends(current_user), session=Depends(db)):
    """Open the first item of this view of the queue that no colleague has open."""
    filters = q.Filters.from_params(request.query_params)
    first = claim_next(request, session, replace(filters, page=1, after=""), None, user.username)
    if first is None:
        flash(request, "Aucun élément libre dans cette vue de la file (les autres sont en cours chez vos "
                       "collègues).", "info")
        return RedirectResponse(f"/file?{filters.query_string()}", status_code=303)
    return RedirectResponse(f"/elements/{first}?{filters.query_string(page=1)}", status_code=303)


def _threshold(value: str | int | None) -> int:
    try:
        return max(50, min(int(value), 100))
    except (TypeError, ValueError):
        return 90


@router.get("/file/confirmer-en-lot")
def bulk_preview(request: Request, seuil: str = "90", retour: str = "", user: CurrentUser = Depends(current_user),
                 session=Depends(db)):
    """The dialog of a bulk confirmation: how many items and which, before anything is written."""
    filters = q.Filters.from_params(dict(parse_qsl(retour)))
    threshold = _threshold(seuil)
    candidates, more = bulk_candidates(session, replace(filters, status=q.ALL), request.app.state.searching,
                                       threshold / 100)
    return render(request, "bulk.html", filters=filters, threshold=threshold, candidates=candidates, more=more)


@router.post("/file/confirmer-en-lot")
def confirm_in_bulk(request: Request, seuil: str = Form("90"), retour: str = Form(""),
                    element: list[int] = Form(default=[]), user: CurrentUser = Depends(current_user),
                    session=Depends(db)):
    """Confirm the items the dialog listed (still to review, still above the threshold)."""
    filters = q.Filters.from_params(dict(parse_qsl(retour)))
    threshold = _threshold(seuil)
    done, batch = bulk_confirm(session, element, threshold / 100, user.username)
    message = f"{done} élément{'s' if done != 1 else ''} confirmé{'s' if done != 1 else ''} en lot " \
              f"(confiance ≥ {threshold} %)."
    if len(element) > done:
        message += f" {len(element) - done} autre(s) avai(en)t changé entre-temps et n'ont pas été touché(s)."
    if batch is None:
        flash(request, message, "info")
    else:
        undo_flash(request, message, f"/file/annuler-lot/{batch}?{filters.query_string(page=1)}")
    return RedirectResponse(f"/file?{filters.query_string(page=1)}", status_code=303)


@router.post("/file/annuler-lot/{batch_id}")
def undo_bulk(batch_id: int, request: Request, user: CurrentUser = Depends(current_user), session=Depends(db)):
    filters = q.Filters.from_params(request.query_params)
    try:
        undone, changed = undo_batch(session, batch_id, user.username)
    except Refused as exc:
        flash(request, f"Annulation refusée : {exc}.", "error")
    else:
        message = f"Confirmation en lot annulée : {undone} élément{'s' if undone != 1 else ''} " \
                  f"remis à vérifier."
        if changed:
            message += f" {changed} élément(s) modifié(s) depuis par quelqu'un ont été laissés tels quels."
        flash(request, message, "info")
    return RedirectResponse(f"/file?{filters.query_string(page=1)}", status_code=303)
