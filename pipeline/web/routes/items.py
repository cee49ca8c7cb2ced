"""One item: the original, the text with its evidence, the suggestions, the review form, the audit trail."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from urllib.parse import parse_qsl, quote

from fastapi import APIRouter, Depends, Form, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from pipeline.errors import ItemError
from pipeline.reference import HORS
from pipeline.status import label as status_label
from pipeline.letters import KIND_FR
from pipeline.store import claims
from pipeline.store.letters import letters_page
from pipeline.store import queue as store_queue
from pipeline.store import review as store
from pipeline.store.queue import Position
from pipeline.store.review import Conflict, ItemFile, Refused, ReviewedItem
from pipeline.store.undo import undo_last
from pipeline.web import originals
from pipeline.web import queue as q
from pipeline.web.auth import CurrentUser, current_user, db, flash, safe_next
from pipeline.web.desk import claim_next, undo_flash
from pipeline.web.pages import render
from pipeline.web.review import Decision, review
from pipeline.web.routes.queue import commune_choices
from pipeline.web.sanitize import Evidence, email_frame_document, highlight

router = APIRouter()
PLACE_KINDS = {"postcode_town": "code postal et ville", "commune_name": "nom de commune", "alias": "autre nom",
               "besancon_place": "lieu de Besançon", "outside": "hors territoire"}
ZONES = {"subject": "objet", "body": "corps du texte", "sender": "adresse de l'expéditeur",
         "recipient": "destinataire", "date": "ligne de date", "signature": "signature"}
FRAME_POLICY = "default-src 'none'; img-src data:; style-src 'unsafe-inline'; frame-ancestors 'self'; sandbox"


@dataclass
class Viewable:
    """A file whose pages can be shown as images."""

    file: ItemFile
    pages: list[int]


def _item(session, item_id: int) -> ReviewedItem:
    found = store.item(session, item_id)
    if found is None:
        raise HTTPException(404)
    return found


def _position(item: ReviewedItem) -> Position:
    return Position(item.id, item.urgent, item.due_date)


def viewables_of(request: Request, row: ReviewedItem) -> list[Viewable]:
    pages_by_name: dict[str, list[int]] = {}
    for file in row.files:
        if file.role == "page" and file.page_number:
            pages_by_name.setdefault(file.name, []).append(file.page_number)
    out = []
    for file in row.files:
        if file.role not in ("scan", "attachment") or not file.sha256 or \
                file.content_type not in originals.RENDERABLE:
            continue
        pages = sorted(set(pages_by_name.get(file.name, [])))
        if not pages:
            try:
                pages = list(range(1, originals.page_count(request.app.state.files.get(file.sha256),
                                                           file.content_type, request.app.state.settings.limits) + 1))
            except (ItemError, OSError):
                pages = []
        out.append(Viewable(file, pages[:originals.MAX_PAGES]))
    return out


def _evidence(row: ReviewedItem, reference) -> tuple[list[dict], list[Evidence]]:
    places, marks, seen = [], [], set()
    for p in sorted((p for p in row.predictions if p.kind == "place"), key=lambda p: p.rank):
        kind, _, zone = (p.detail or "").partition("/")
        name = reference.commune_name(p.label)
        if (name, p.evidence.lower()) in seen:
            continue
        seen.add((name, p.evidence.lower()))
        places.append({"commune": p.label, "name": name, "evidence": p.evidence, "score": p.score,
                       "kind": PLACE_KINDS.get(kind, kind), "zone": ZONES.get(zone, zone)})
        if p.evidence:
            marks.append(Evidence(p.evidence, f"{name} ({PLACE_KINDS.get(kind, kind)})"))
    if row.commune_evidence:
        marks.insert(0, Evidence(row.commune_evidence, f"Commune retenue : {reference.commune_name(row.commune)}"))
    return places, marks


# One key per competence, the same on every item (reference order): digits, then letters no command uses.
COMPETENCE_KEYS = "1234567890qsdfg"


def competence_keys(reference) -> dict[str, str]:
    return {c.code: COMPETENCE_KEYS[i] if i < len(COMPETENCE_KEYS) else "" for i, c in enumerate(reference.competences)}


def _competence_choices(row: ReviewedItem, reference) -> tuple[list[dict], list[dict]]:
    """Top-3 suggestions first, then every other competence, each with its own key wherever it is listed."""
    top = sorted((p for p in row.predictions if p.kind == "competence"), key=lambda p: p.rank)[:3]
    order = [p.label for p in top if p.label in reference.competence_by_code]
    order += [c.code for c in reference.competences if c.code not in order]
    scores = {p.label: p.score for p in top}
    keys = competence_keys(reference)
    choices = [{"code": code, "label": reference.competence_by_code[code].label, "score": scores.get(code),
                "key": keys[code], "suggested": code in scores} for code in order]
    return [{"label": reference.competence_by_code[p.label].label if p.label in reference.competence_by_code
             else p.label, "code": p.label, "score": p.score} for p in top], choices


def _administration_of(row: ReviewedItem) -> str:
    """The administration already chosen for an item sent elsewhere ("" while still to determine)."""
    if row.destination_kind != "autre" or "à déterminer" in row.destination:
        return ""
    return row.destination.split(" : ", 1)[-1]


def item_page(request: Request, session, row: ReviewedItem, back: str, user: CurrentUser, status_code: int = 200,
              conflict: Conflict | None = None):
    state = request.app.state
    reference = state.reference
    filters = q.Filters.from_params(dict(parse_qsl(back)))
    events = store.events(session, row.id)
    places, marks = _evidence(row, reference)
    top, choices = _competence_choices(row, reference)
    email_view = None
    original = next((f for f in row.files if f.role == "original"), None)
    if row.channel == "email" and original and state.files.exists(original.sha256):
        email_view = originals.read_email_view(state.files.get(original.sha256))
    claimed_by = claims.holder(session, row.id, user.username)
    return render(request, "item.html", status_code=status_code, item=row, back=back, filters=filters,
                  events=events, places=places, text=highlight(row.text or "", marks), top=top, choices=choices,
                  email_view=email_view, original=original, viewables=viewables_of(request, row),
                  attachments=[f for f in row.files if f.role == "attachment" and f.sha256],
                  communes=commune_choices(reference), hors=HORS, administration=_administration_of(row), item_letters=letters_page(session, item_id=row.id),
                  letter_kinds=KIND_FR, conflict=conflict, claimed_by=claimed_by,
                  remaining=store_queue.remaining(session, filters, state.searching))


@router.get("/elements/{item_id}")
def show(item_id: int, request: Request, user: CurrentUser = Depends(current_user), session=Depends(db)):
    row = _item(session, item_id)
    claims.take(session, item_id, user.username, request.app.state.settings.web.claim_minutes)
    return item_page(request, session, row, request.url.query, user)


@router.get("/elements/{item_id}/passer")
def skip(item_id: int, request: Request, user: CurrentUser = Depends(current_user), session=Depends(db)):
    """Leave this item as it is (given back to the team) and open the next free one."""
    retour = q.Filters.from_params(request.query_params).query_string()
    row = _item(session, item_id)
    claims.release(session, item_id, user.username)
    return _advance(request, session, _position(row), retour, user)


def _advance(request: Request, session, position: Position, back: str, user: CurrentUser) -> RedirectResponse:
    """Auto-advance: the next item of the clerk's view nobody else has open, or the queue when none is left."""
    filters = q.Filters.from_params(dict(parse_qsl(back)))
    following = claim_next(request, session, filters, position, user.username, exclude=position.id)
    if following is None:
        flash(request, "Plus aucun élément dans cette vue de la file : bravo !", "info")
        return RedirectResponse(f"/file?{back}", status_code=303)
    return RedirectResponse(f"/elements/{following}?{back}", status_code=303)


def _conflict_page(request: Request, session, item_id: int, back: str, user: CurrentUser, exc: Conflict):
    return item_page(request, session, _item(session, item_id), back, user, status_code=409, conflict=exc)


@router.post("/elements/{item_id}/relecture")
def submit_review(item_id: int, request: Request, version: int = Form(...), competence: str = Form(...),
                  commune: str = Form(""), urgent: str = Form(""), comment: str = Form(""), retour: str = Form(""),
                  administration: str = Form(""), echeance: str = Form(""),
                  user: CurrentUser = Depends(current_user), session=Depends(db)):
    """Confirm (nothing changed) or correct; every change becomes a review_event, then the next item."""
    retour = q.Filters.from_params(dict(parse_qsl(retour))).query_string()  # rebuilt: only known filters travel
    row = _item(session, item_id)
    position = _position(row)  # its place in the queue before the change
    try:
        due = date.fromisoformat(echeance) if echeance else None
    except ValueError:
        flash(request, "Échéance invalide : choisissez une date dans le calendrier (JJ/MM/AAAA).", "error")
        return RedirectResponse(f"/elements/{item_id}?{retour}", status_code=303)
    decision = Decision(competence=competence, commune=None if commune in ("", q.NO_COMMUNE) else commune,
                        urgent=urgent == "1", comment=comment.strip(), administration=administration.strip(),
                        due_date=due)
    try:
        action = review(session, item_id, version, decision, user.username, request.app.state.context)
    except Conflict as exc:
        return _conflict_page(request, session, item_id, retour, user, exc)
    except Refused as exc:
        flash(request, f"Action refusée : {exc}", "error")
        return RedirectResponse(f"/elements/{item_id}?{retour}", status_code=303)
    claims.release(session, item_id, user.username)
    if action == "none":
        last = store.events(session, item_id)
        who = f" par {last[0].user}" if last else ""
        flash(request, f"{row.chrono} était déjà {status_label(row.status).lower()}{who} : rien n'a été "
                       "enregistré à nouveau.", "info")
    else:
        verb = {"confirm": "confirmé", "correct": "corrigé", "update": "mis à jour", "comment": "commenté"}[action]
        undo_flash(request, f"{row.chrono} {verb}.", f"/elements/{item_id}/annuler?{retour}")
    return _advance(request, session, position, retour, user)


@router.post("/elements/{item_id}/annuler")
def undo(item_id: int, request: Request, user: CurrentUser = Depends(current_user), session=Depends(db)):
    """Take back this clerk's last action on the item, then show it again."""
    retour = q.Filters.from_params(request.query_params).query_string()
    try:
        chrono = undo_last(session, item_id, user.username)
    except (Refused, Conflict) as exc:
        flash(request, f"Annulation refusée : {exc if isinstance(exc, Refused) else 'élément modifié entre-temps'}.",
              "error")
        return RedirectResponse(f"/elements/{item_id}?{retour}", status_code=303)
    flash(request, f"Annulé : {chrono} est revenu à son état précédent.", "info")
    return RedirectResponse(f"/elements/{item_id}?{retour}", status_code=303)


@router.post("/elements/{item_id}/traite")
def mark_handled(item_id: int, request: Request, version: int = Form(...), retour: str = Form("/services"),
                 traite: str = Form("1"), user: CurrentUser = Depends(current_user), session=Depends(db)):
    """A service marks the item handled (traite=1) or reopens it (traite=0)."""
    back = safe_next(retour)
    try:
        chrono = store.set_handled(session, item_id, version, user.username, handled=traite == "1")
    except Conflict as exc:
        who = f" par {exc.event.user}" if exc.event else ""
        flash(request, f"Cet élément a été modifié{who} entre-temps : rien n'a été enregistré. "
                       "Vérifiez son état puis recommencez.", "error")
        return RedirectResponse(back, status_code=303)
    except Refused as exc:
        flash(request, f"Action refusée : {exc}", "error")
        return RedirectResponse(back, status_code=303)
    flash(request, f"{chrono} marqué traité." if traite == "1" else f"{chrono} rouvert.")
    return RedirectResponse(back, status_code=303)


@router.get("/elements/{item_id}/courriel.html")
def email_frame(item_id: int, request: Request, user: CurrentUser = Depends(current_user),
                session=Depends(db)):
    """The email's HTML made inert, for a sandboxed frame (its own CSP: no script, no remote load)."""
    row = _item(session, item_id)
    original = next((f for f in row.files if f.role == "original"), None)
    files = request.app.state.files
    if row.channel != "email" or original is None or not files.exists(original.sha256):
        raise HTTPException(404)
    view = originals.read_email_view(files.get(original.sha256))
    if view.html is None:
        raise HTTPException(404)
    return HTMLResponse(email_frame_document(view.html), headers={"Content-Security-Policy": FRAME_POLICY})


def _file(session, item_id: int, file_id: int) -> ItemFile:
    file = store.item_file(session, item_id, file_id)
    if file is None:
        raise HTTPException(404)
    return file


@router.get("/elements/{item_id}/fichiers/{file_id}")
def download(item_id: int, file_id: int, request: Request, user: CurrentUser = Depends(current_user),
             session=Depends(db)):
    """The file as received, always as a download (a sender's HTML or SVG never opens in our origin)."""
    file = _file(session, item_id, file_id)
    if not request.app.state.files.exists(file.sha256):
        raise HTTPException(404)
    name = (file.name or "fichier").replace('"', "").replace("\r", "").replace("\n", "")
    if file.role == "original" and file.content_type == "message/rfc822" and not name.lower().endswith(".eml"):
        name += ".eml"
    return Response(request.app.state.files.get(file.sha256), media_type="application/octet-stream",
                    headers={"Content-Disposition": f"attachment; filename*=UTF-8''{quote(name)}"})


@router.get("/elements/{item_id}/fichiers/{file_id}/pages/{number}.png")
def page_image(item_id: int, file_id: int, number: int, request: Request,
               user: CurrentUser = Depends(current_user), session=Depends(db)):
    file = _file(session, item_id, file_id)
    state = request.app.state
    try:
        data = originals.page_png(state.files.get(file.sha256), file.sha256, file.content_type, number,
                                  state.cache_dir, limits=state.settings.limits)
    except (ItemError, OSError):
        raise HTTPException(404) from None
    return Response(data, media_type="image/png", headers={"Cache-Control": "private, max-age=86400"})
