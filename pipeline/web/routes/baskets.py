"""A service's basket ("Ma corbeille"): what was addressed to it, and taking, answering, sending back.

Open to service accounts (`signed_in`: the only pages they reach besides logging in and out) and to
clerks (who read any item here but act for no service). Every item, file and search result is
checked with pipeline/store/access.py: another service's is a 404, as if it did not exist.
"""
from __future__ import annotations

from datetime import date, datetime

from fastapi import APIRouter, Depends, Form, HTTPException, Request
from fastapi.responses import RedirectResponse

from pipeline.store import access
from pipeline.store import baskets as store
from pipeline.store import review as store_review
from pipeline.store.review import Conflict, Refused
from pipeline.web import originals
from pipeline.web.auth import CurrentUser, db, flash, signed_in
from pipeline.web.pages import render, templates
from pipeline.web.review import ACTIONS
from pipeline.web.routes import items as item_routes
from pipeline.web.sanitize import highlight

router = APIRouter(prefix="/corbeille")
TAB_LABELS = {"a-traiter": "À traiter", "en-copie": "En copie", "pris-en-charge": "Pris en charge",
              "repondu": "Répondu"}
for _action, _label in store.ACTIONS.items():
    ACTIONS.setdefault(_action, _label)


def services_follow_up(request: Request, item_id: int) -> list[store.Destination]:
    """What each destination did with the item, for the mail team's item page (a template function, as
    `destinations_for` is: the item route needs nothing from here)."""
    with request.app.state.database() as session:
        return store.destinations(session, item_id)


templates.env.globals.update(services_follow_up=services_follow_up, ANSWER_CHANNELS=store.ANSWER_CHANNELS)


def _today(request: Request) -> date:
    return datetime.now(request.app.state.zone).date()


def _entries(request: Request, session, user: CurrentUser) -> list[int]:
    return access.basket_entry_ids(session, user, _today(request))


def _readable(request: Request, session, user: CurrentUser, item_id: int) -> None:
    """404, not 403, for an item out of this account's reach: its existence is not told either."""
    if not access.can_read(session, user, item_id, _today(request)):
        raise HTTPException(404)


def _page_number(value: str) -> int:
    try:
        return max(1, int(value))
    except ValueError:
        return 1


@router.get("")
def basket(request: Request, onglet: str = "a-traiter", page: str = "1", q: str = "",
           user: CurrentUser = Depends(signed_in), session=Depends(db)):
    tab = onglet if onglet in store.TABS else "a-traiter"
    entries = _entries(request, session, user)
    number, query = _page_number(page), q.strip()[:200]
    rows, more = store.lines(session, entries, tab, number, request.app.state.settings.web.page_size,
                             query, request.app.state.searching.mode)
    return render(request, "basket.html", tab=tab, tabs=TAB_LABELS, counts=store.counts(session, entries),
                  rows=rows, more=more, number=number, query=query, today=_today(request),
                  several=len(entries) > 1, channels=store.ANSWER_CHANNELS)


@router.get("/items/{item_id}")
def item(item_id: int, request: Request, user: CurrentUser = Depends(signed_in), session=Depends(db)):
    _readable(request, session, user, item_id)
    row = store_review.item(session, item_id)
    if row is None:
        raise HTTPException(404)
    state = request.app.state
    original = next((f for f in row.files if f.role == "original"), None)
    email_view = None
    if row.channel == "email" and original and state.files.exists(original.sha256):
        email_view = originals.read_email_view(state.files.get(original.sha256))
    return render(request, "basket_item.html", item=row, text=highlight(row.text or "", []),
                  mine=store.mine(session, item_id, _entries(request, session, user)),
                  destinations=store.destinations(session, item_id), original=original, email_view=email_view,
                  viewables=item_routes.viewables_of(request, row),
                  attachments=[f for f in row.files if f.role == "attachment" and f.sha256],
                  channels=store.ANSWER_CHANNELS, today=_today(request))


@router.get("/items/{item_id}/fichiers/{file_id}")
def download(item_id: int, file_id: int, request: Request, user: CurrentUser = Depends(signed_in),
             session=Depends(db)):
    _readable(request, session, user, item_id)
    return item_routes.download(item_id, file_id, request, user, session)


@router.get("/items/{item_id}/fichiers/{file_id}/pages/{number}.png")
def page_image(item_id: int, file_id: int, number: int, request: Request, user: CurrentUser = Depends(signed_in),
               session=Depends(db)):
    _readable(request, session, user, item_id)
    return item_routes.page_image(item_id, file_id, number, request, user, session)


@router.get("/items/{item_id}/courriel.html")
def email_frame(item_id: int, request: Request, user: CurrentUser = Depends(signed_in), session=Depends(db)):
    _readable(request, session, user, item_id)
    return item_routes.email_frame(item_id, request, user, session)


def _back(item_id: int) -> RedirectResponse:
    return RedirectResponse(f"/corbeille/items/{item_id}", status_code=303)


def _act(request: Request, item_id: int, action, done: str, then: str = "") -> RedirectResponse:
    """Run a service action, then go to `then` (the item by default); a refusal or a concurrent change
    is a French message on the item."""
    try:
        changed = action()
    except Conflict as exc:
        who = f" par {exc.event.user}" if exc.event else ""
        flash(request, f"Cet élément a été modifié{who} entre-temps : rien n'a été enregistré. "
                       "Vérifiez son état puis recommencez.", "error")
        return _back(item_id)
    except Refused as exc:
        flash(request, f"Action refusée : {exc}.", "error")
        return _back(item_id)
    flash(request, done if changed is not False else "C'était déjà fait : rien n'a changé.",
          "ok" if changed is not False else "info")
    return RedirectResponse(then, status_code=303) if then else _back(item_id)


@router.post("/items/{item_id}/repondu")
def answered(item_id: int, request: Request, version: int = Form(...), date_reponse: str = Form(""),
             canal: str = Form(""), note: str = Form(""), user: CurrentUser = Depends(signed_in),
             session=Depends(db)):
    _readable(request, session, user, item_id)
    try:
        on = date.fromisoformat(date_reponse)
    except ValueError:
        flash(request, "Date de la réponse invalide : choisissez-la dans le calendrier (JJ/MM/AAAA).", "error")
        return _back(item_id)
    entries = _entries(request, session, user)
    return _act(request, item_id, lambda: store.answer(
        session, item_id, version, entries, user.username, on=on, channel=canal, note=note, today=_today(request)),
        "Réponse enregistrée : l'élément est traité.", then="/corbeille")


@router.post("/items/{item_id}/reorienter")
def redirect(item_id: int, request: Request, version: int = Form(...), motif: str = Form(""),
             user: CurrentUser = Depends(signed_in), session=Depends(db)):
    _readable(request, session, user, item_id)
    entries = _entries(request, session, user)
    return _act(request, item_id, lambda: store.redirect(session, item_id, version, entries, user.username, motif),
                "Renvoyé à l'équipe du courrier avec votre motif : il n'est plus dans votre corbeille.",
                then="/corbeille")


STAMPS = {"prendre": (store.take, "Pris en charge : vos collègues voient que vous vous en occupez."),
          "vu": (store.mark_seen, "Copie marquée comme lue.")}


@router.post("/items/{item_id}/{stamp}")  # last: after the other actions' paths
def stamp(item_id: int, stamp: str, request: Request, user: CurrentUser = Depends(signed_in), session=Depends(db)):
    """"Prendre en charge" (the principal) or "lue" (a copy)."""
    if stamp not in STAMPS:
        raise HTTPException(404)
    _readable(request, session, user, item_id)
    entries = _entries(request, session, user)
    action, done = STAMPS[stamp]
    return _act(request, item_id, lambda: action(session, item_id, entries, user.username), done)
