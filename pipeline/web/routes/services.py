"""What each service (and each commune's town hall) received, and marking it handled."""
from __future__ import annotations

from collections import defaultdict

from fastapi import APIRouter, Depends, Form, HTTPException, Request
from fastapi.responses import RedirectResponse
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from pipeline.store.schema import ItemRow
from pipeline.web.auth import CurrentUser, current_user, db, flash, safe_next
from pipeline.web.pages import render
from pipeline.web.queue import LIST_COLUMNS, ORDER, Page
from pipeline.web.review import OPEN_STATUSES, Conflict, Refused, set_handled

router = APIRouter()
ROUTED = OPEN_STATUSES + ("handled",)


def _counts(session: Session) -> tuple[dict, dict]:
    """Open and handled counts per metropolitan competence and per town hall, in one pass (covering index)."""
    by_competence: dict[str, dict[str, int]] = defaultdict(lambda: {"open": 0, "handled": 0})
    by_commune: dict[str, dict[str, int]] = defaultdict(lambda: {"open": 0, "handled": 0})
    rows = session.execute(select(ItemRow.destination_kind, ItemRow.competence, ItemRow.commune, ItemRow.status,
                                  func.count()).where(ItemRow.status.in_(ROUTED))
                           .group_by(ItemRow.status, ItemRow.destination_kind, ItemRow.competence, ItemRow.commune))
    for kind, competence, commune, status, count in rows:
        counts = by_commune[commune] if kind == "commune" else by_competence[competence]
        counts["handled" if status == "handled" else "open"] += count
    return by_competence, by_commune


@router.get("/services")
def services(request: Request, user: CurrentUser = Depends(current_user), session: Session = Depends(db)):
    reference, table = request.app.state.reference, request.app.state.context.table
    by_competence, by_commune = _counts(session)
    metropole = [{"code": c.code, "label": c.label, "service": table.services.get(c.code, ""),
                  **by_competence[c.code]} for c in reference.competences if c.handled_by != "commune"]
    communes = [{"insee": c.insee, "name": c.name, **by_commune[c.insee]}
                for c in sorted(reference.communes, key=lambda c: c.name)]
    return render(request, "services.html", metropole=metropole, communes=communes)


def _listing(request: Request, session: Session, where: list, title: str, subtitle: str, base: str):
    handled = request.query_params.get("vue") == "traites"
    status = [ItemRow.status == "handled"] if handled else [ItemRow.status.in_(OPEN_STATUSES)]
    try:
        number = max(1, int(request.query_params.get("page", "1")))
    except ValueError:
        number = 1
    size = request.app.state.settings.web.page_size
    total = session.execute(select(func.count()).select_from(ItemRow).where(*where, *status)).scalar_one()
    number = min(number, max(1, -(-total // size)))
    rows = session.execute(select(*LIST_COLUMNS).where(*where, *status).order_by(*ORDER)
                           .offset((number - 1) * size).limit(size)).all()
    return render(request, "service_items.html", title=title, subtitle=subtitle, base=base, handled=handled,
                  page=Page(rows, total, number, size))


@router.get("/services/{code}")
def service(code: str, request: Request, user: CurrentUser = Depends(current_user), session: Session = Depends(db)):
    reference = request.app.state.reference
    competence = reference.competence_by_code.get(code)
    if competence is None or competence.handled_by == "commune":
        raise HTTPException(404)
    where = [ItemRow.competence == code, ItemRow.destination_kind != "commune"]
    return _listing(request, session, where, competence.label,
                    request.app.state.context.table.services.get(code, ""), f"/services/{code}")


@router.get("/mairies/{insee}")
def town_hall(insee: str, request: Request, user: CurrentUser = Depends(current_user),
              session: Session = Depends(db)):
    commune = request.app.state.reference.commune_by_insee.get(insee)
    if commune is None:
        raise HTTPException(404)
    where = [ItemRow.commune == insee, ItemRow.destination_kind == "commune"]
    return _listing(request, session, where, f"Mairie de {commune.name}",
                    "Demandes de compétence communale transmises à la mairie", f"/mairies/{insee}")


@router.post("/services/traiter")
def mark_many(request: Request, retour: str = Form("/services"), element: list[str] = Form(default=[]),
              seul: str = Form(""), user: CurrentUser = Depends(current_user), session: Session = Depends(db)):
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
            session.rollback()
            conflicts += 1
        except Refused:
            session.rollback()
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
