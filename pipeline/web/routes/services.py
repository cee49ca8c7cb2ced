"""What each service (and each commune's town hall) received, and marking it handled."""
from __future__ import annotations

from fastapi import APIRouter, Depends, Form, HTTPException, Request
from fastapi.responses import RedirectResponse

from pipeline.store import services as store
from pipeline.store.review import Conflict, Refused, set_handled
from pipeline.web.auth import CurrentUser, current_user, db, flash, safe_next
from pipeline.web.pages import render
from pipeline.web.wording import service_name

router = APIRouter()


@router.get("/services")
def services(request: Request, user: CurrentUser = Depends(current_user), session=Depends(db)):
    reference, table = request.app.state.reference, request.app.state.context.table
    by_competence, by_commune = store.counts(session)
    metropole = [{"code": c.code, "label": c.label, "service": service_name(table.services.get(c.code, ""), c.label),
                  **by_competence[c.code]} for c in reference.competences if c.handled_by != "commune"]
    communes = [{"insee": c.insee, "name": c.name, **by_commune[c.insee]}
                for c in sorted(reference.communes, key=lambda c: c.name)]
    return render(request, "services.html", metropole=metropole, communes=communes)


def _listing(request: Request, session, page_of, key: str, title: str, subtitle: str, base: str):
    """One page of what a service (page_of = store.service_page) or a town hall received."""
    handled = request.query_params.get("vue") == "traites"
    try:
        number = max(1, int(request.query_params.get("page", "1")))
    except ValueError:
        number = 1
    page = page_of(session, key, handled, number, request.app.state.settings.web.page_size)
    return render(request, "service_items.html", title=title, subtitle=subtitle, base=base, handled=handled,
                  page=page)


@router.get("/services/{code}")
def service(code: str, request: Request, user: CurrentUser = Depends(current_user), session=Depends(db)):
    reference = request.app.state.reference
    competence = reference.competence_by_code.get(code)
    if competence is None or competence.handled_by == "commune":
        raise HTTPException(404)
    return _listing(request, session, store.service_page, code, competence.label,
                    request.app.state.context.table.services.get(code, ""), f"/services/{code}")


@router.get("/mairies/{insee}")
def town_hall(insee: str, request: Request, user: CurrentUser = Depends(current_user),
              session=Depends(db)):
    commune = request.app.state.reference.commune_by_insee.get(insee)
    if commune is None:
        raise HTTPException(404)
    return _listing(request, session, store.town_hall_page, insee, f"Mairie de {commune.name}",
                    "Demandes de compétence communale transmises à la mairie", f"/mairies/{insee}")


@router.post("/services/traiter")
def mark_many(request: Request, retour: str = Form("/services"), element: list[str] = Form(default=[]),
              seul: str = Form(""), user: CurrentUser = Depends(current_user), session=Depends(db)):
    """Mark handled the ticked items (or the one whose button was pressed); each keeps its version check."""
    back = safe_next(retour)
    chosen = [seul] if seul else element
    done, conflicts, refused = 0, 0, 0
    for value in chosen:
        item_id, _, version = value.partition(":")
        try:
            set_handled(session, int(item_id), int(version), user.username)
            done += 1
        except ValueError:
            refused += 1
        except Conflict:
            conflicts += 1
        except Refused:
            refused += 1
    if done:
        flash(request, f"{done} élément(s) marqué(s) traité(s).")
    if conflicts:
        flash(request, f"{conflicts} élément(s) modifié(s) entre-temps par quelqu'un d'autre : rien n'a été "
                       "enregistré pour eux, vérifiez-les.", "error")
    if refused:
        flash(request, f"{refused} élément(s) ne pouvaient pas être marqués traités.", "error")
    if not chosen:
        flash(request, "Aucun élément coché.", "info")
    return RedirectResponse(back, status_code=303)
