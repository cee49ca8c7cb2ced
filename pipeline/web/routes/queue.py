"""The review queue: filters, search, pages, and confirming in bulk above a confidence."""
from __future__ import annotations

from dataclasses import replace
from urllib.parse import parse_qsl

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse

from pipeline.reference import HORS
from pipeline.store import queue as store
from pipeline.store.review import bulk_confirm
from pipeline.understand.nlp import fold
from pipeline.web import queue as q
from pipeline.web.auth import CurrentUser, current_user, db, flash
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
    return render(request, "queue.html", filters=filters, page=page, counts=counted[0],
                  communes=commune_choices(state.reference), all_status=q.ALL)


@router.get("/file/commencer")
def start(request: Request, user: CurrentUser = Depends(current_user), session=Depends(db)):
    """Open the first item of this view of the queue."""
    filters = q.Filters.from_params(request.query_params)
    first = store.page(session, replace(filters, page=1, after=""), request.app.state.searching, 1)
    if not first.rows:
        flash(request, "Aucun élément dans cette vue de la file.", "info")
        return RedirectResponse(f"/file?{filters.query_string()}", status_code=303)
    return RedirectResponse(f"/elements/{first.rows[0].id}?{filters.query_string(page=1)}", status_code=303)


@router.post("/file/confirmer-en-lot")
def confirm_in_bulk(request: Request, seuil: int = Form(...), retour: str = Form(""),
                    user: CurrentUser = Depends(current_user), session=Depends(db)):
    """Confirm the items to review of the current view whose confidence reaches the threshold."""
    filters = q.Filters.from_params(dict(parse_qsl(retour)))
    seuil = max(50, min(seuil, 100))
    done, left = bulk_confirm(session, replace(filters, status=q.ALL), request.app.state.searching, seuil / 100,
                              user.username)  # redirect below rebuilt from filters
    message = f"{done} élément(s) confirmé(s) en lot (confiance ≥ {seuil} %)."
    if left:
        message += f" Il en reste au moins {left} : relancez la confirmation en lot."
    flash(request, message)
    return RedirectResponse(f"/file?{filters.query_string(page=1)}", status_code=303)
