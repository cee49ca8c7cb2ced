"""The "Destinataires" panel of the item page: the principal destination and its copies, a clerk adding
or removing copies, and the transmission of a request to another administration (CRPA L114-2), whose
letters are drafted at once with the directory's details.

The panel's data comes from `destinations_for` (a template function, as `knowledge_for` does), so the
item page's own route needs nothing from here.
"""
from __future__ import annotations

from fastapi import APIRouter, Depends, Form, HTTPException, Request
from fastapi.responses import RedirectResponse

from pipeline.letters import draft_transmission
from pipeline.status import SETTLED, ItemStatus
from pipeline.store import directory as directory_store
from pipeline.store import distribution
from pipeline.store import review as review_store
from pipeline.store.review import Conflict, Refused
from pipeline.web.auth import CurrentUser, current_user, db, flash
from pipeline.web.pages import templates
from pipeline.web.routes.directory import refresh_routing
from pipeline.web.review import Decision, review

router = APIRouter()
GROUPS = (("service", "Services de la métropole"), ("mairie", "Mairies"), ("administration", "Autres administrations"))


def destinations_for(request: Request, item_id: int) -> dict:
    """The item's destinations, and the entries a clerk may add in copy or transmit to."""
    with request.app.state.database() as session:
        rows = distribution.destinations(session, item_id)
        entries = directory_store.entries(session, active_only=True)
    taken = {d.entry_id for d in rows if d.active}
    groups = [(label, [e for e in entries if e.kind == kind and e.id not in taken]) for kind, label in GROUPS]
    return {"rows": rows, "groups": [(label, found) for label, found in groups if found],
            "administrations": [e for e in entries if e.kind == "administration"]}


templates.env.globals["destinations_for"] = destinations_for


def _back(item_id: int, retour: str) -> RedirectResponse:
    return RedirectResponse(f"/elements/{item_id}" + (f"?{retour}" if retour else "") + "#destinataires",
                            status_code=303)


@router.post("/elements/{item_id}/copies")
def add_copy(item_id: int, request: Request, entry_id: int = Form(...), retour: str = Form(""),
             user: CurrentUser = Depends(current_user), session=Depends(db)):
    item = review_store.item(session, item_id)
    if item is None:
        raise HTTPException(404)
    if item.status not in (*SETTLED, ItemStatus.HANDLED):
        flash(request, "Confirmez d'abord l'orientation de ce courrier : les copies partent avec lui.", "error")
        return _back(item_id, retour)
    try:
        added = distribution.add_copy(session, item_id, entry_id, user.username)
    except LookupError:
        raise HTTPException(404) from None
    name = directory_store.entry(session, entry_id).name
    flash(request, f"Copie envoyée à « {name} »." if added else f"« {name} » reçoit déjà ce courrier.",
          "ok" if added else "info")
    return _back(item_id, retour)


@router.post("/elements/{item_id}/copies/{entry_id}/retirer")
def remove_copy(item_id: int, entry_id: int, request: Request, retour: str = Form(""),
                user: CurrentUser = Depends(current_user), session=Depends(db)):
    if distribution.remove_copy(session, item_id, entry_id, user.username):
        flash(request, "Copie retirée.")
    else:
        flash(request, "Pas de copie à retirer (le destinataire principal ne se retire pas : réorientez le courrier).",
              "error")
    return _back(item_id, retour)


@router.post("/elements/{item_id}/transmettre")
def transmit(item_id: int, request: Request, version: int = Form(...), entry_id: int = Form(...),
             retour: str = Form(""), user: CurrentUser = Depends(current_user), session=Depends(db)):
    """Send the request on to another administration: routed there (a correction when the competence
    changes), the administration becomes the principal destination, and both letters are drafted."""
    item = review_store.item(session, item_id)
    target = directory_store.entry(session, entry_id)
    if item is None or target is None or target.kind != "administration":
        raise HTTPException(404)
    if target.name not in {name for name, _ in request.app.state.context.table.administrations}:
        refresh_routing(request)  # changed in the directory by another worker since this one started
    decision = Decision(competence="hors_competence", commune=item.commune, urgent=item.urgent,
                        comment=f"transmis à {target.name} (CRPA L114-2)", administration=target.name)
    try:
        review(session, item_id, version, decision, user.username, request.app.state.context)
    except Conflict:
        flash(request, "Ce courrier a été modifié entre-temps : rien n'a été transmis. Vérifiez-le puis recommencez.",
              "error")
        return _back(item_id, retour)
    except Refused as exc:
        flash(request, f"Transmission refusée : {exc}", "error")
        return _back(item_id, retour)
    distribution.distribute(session, item_id, user.username, principal=target)
    letters = draft_transmission(request.app.state.settings, request.app.state.database, item_id)
    sent = [l for l in letters if l.status == "sent"]
    flash(request, f"Transmis à « {target.name} » : la lettre de transmission et l'avis à l'expéditeur sont prêts "
                   "dans « Lettres »." + (" Attention : une lettre de ce type était déjà envoyée, elle n'a pas été "
                                          "refaite." if sent else ""))
    return _back(item_id, retour)
