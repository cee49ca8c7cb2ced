"""The quarantine for administrators: see why a document was refused, its original, queue a retry, discard it.

"Réessayer" only queues the retry: the next `triage run` reads the original back from the file
store through exactly the batch's stages and store_outcome (pipeline/sources/retries.py), so
OCR and the classifier never run inside the web process.
"""
from __future__ import annotations

from urllib.parse import quote, urlencode

from fastapi import APIRouter, Depends, Form, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from pipeline.errors import ItemError
from pipeline.extract.filetype import sniff
from pipeline.store import quarantine as store
from pipeline.store.quarantine import LABELS, QuarantineEntry, QuarantineStatus
from pipeline.web import originals
from pipeline.web.auth import CurrentUser, db, flash, require_admin
from pipeline.web.pages import render
from pipeline.web.routes.items import FRAME_POLICY
from pipeline.web.sanitize import email_frame_document

router = APIRouter(prefix="/admin/quarantaine")
PAGE_SIZE = 50
STATUSES = {status.value: label for status, label in LABELS.items()}
REASONS = {"unreadable": "illisible", "over-budget": "au-delà des limites", "internal": "erreur interne",
           "store-refused": "refusé par la base de données"}  # other slugs are shown as they are


def _page_number(request: Request) -> int:
    try:
        return max(1, int(request.query_params.get("page", "1")))
    except ValueError:
        return 1


@router.get("")
def quarantine_list(request: Request, user: CurrentUser = Depends(require_admin), session=Depends(db)):
    status = request.query_params.get("statut", QuarantineStatus.OPEN)
    status = status if status in STATUSES else QuarantineStatus.OPEN
    slug = request.query_params.get("raison") or None
    number = _page_number(request)
    rows, total = store.list_entries(session, status, slug=slug, offset=(number - 1) * PAGE_SIZE, limit=PAGE_SIZE)
    query = {"statut": status, **({"raison": slug} if slug else {})}
    return render(request, "admin_quarantine.html", rows=rows, status=status, statuses=STATUSES,
                  counts=store.count_by_status(session), reasons=store.count_by_reason(session, status),
                  reason_labels=REASONS, slug=slug, number=number, pages=max(1, -(-total // PAGE_SIZE)),
                  query=urlencode(query))


def _entry(session, entry_id: int) -> QuarantineEntry:
    entry = store.get(session, entry_id)
    if entry is None:
        raise HTTPException(404)
    return entry


def _raw(request: Request, entry: QuarantineEntry) -> bytes | None:
    files = request.app.state.files
    return files.get(entry.sha256) if files.exists(entry.sha256) else None


def _kind(raw: bytes | None, filename: str) -> str | None:
    try:
        return sniff(raw, filename) if raw else None
    except ItemError:
        return None


@router.get("/{entry_id}")
def quarantine_entry(entry_id: int, request: Request, user: CurrentUser = Depends(require_admin),
                     session=Depends(db)):
    entry = _entry(session, entry_id)
    raw = _raw(request, entry)
    kind = _kind(raw, entry.filename)
    email_view, pages = None, []
    if kind == "message/rfc822":
        email_view = originals.read_email_view(raw)
    elif kind in originals.RENDERABLE:
        try:
            pages = list(range(1, originals.page_count(raw, kind, request.app.state.settings.limits) + 1))
        except ItemError:
            pages = []
    return render(request, "admin_quarantine_entry.html", entry=entry, kind=kind, available=raw is not None,
                  email_view=email_view, pages=pages, statuses=STATUSES, reason_labels=REASONS)


@router.get("/{entry_id}/original")
def quarantine_original(entry_id: int, request: Request, user: CurrentUser = Depends(require_admin),
                        session=Depends(db)):
    entry = _entry(session, entry_id)
    raw = _raw(request, entry)
    if raw is None:
        raise HTTPException(404)
    name = entry.filename.replace('"', "").replace("\r", "").replace("\n", "") or "original"
    return Response(raw, media_type="application/octet-stream",
                    headers={"Content-Disposition": f"attachment; filename*=UTF-8''{quote(name)}"})


@router.get("/{entry_id}/courriel.html")
def quarantine_email(entry_id: int, request: Request, user: CurrentUser = Depends(require_admin),
                     session=Depends(db)):
    entry = _entry(session, entry_id)
    raw = _raw(request, entry)
    view = originals.read_email_view(raw) if _kind(raw, entry.filename) == "message/rfc822" else None
    if view is None or view.html is None:
        raise HTTPException(404)
    return HTMLResponse(email_frame_document(view.html), headers={"Content-Security-Policy": FRAME_POLICY})


@router.get("/{entry_id}/pages/{number}.png")
def quarantine_page(entry_id: int, number: int, request: Request, user: CurrentUser = Depends(require_admin),
                    session=Depends(db)):
    entry = _entry(session, entry_id)
    raw = _raw(request, entry)
    try:
        data = originals.page_png(raw or b"", entry.sha256, _kind(raw, entry.filename) or "", number,
                                  request.app.state.cache_dir, limits=request.app.state.settings.limits)
    except (ItemError, OSError):
        raise HTTPException(404) from None
    return Response(data, media_type="image/png", headers={"Cache-Control": "private, max-age=86400"})


@router.post("/{entry_id}/reessayer")
def retry(entry_id: int, request: Request, user: CurrentUser = Depends(require_admin),
          session=Depends(db)):
    """Queue the retry for the next run: nothing heavy runs in the web process."""
    entry = _entry(session, entry_id)
    if _raw(request, entry) is None:
        flash(request, "Réessai impossible : l'original est introuvable dans le magasin de fichiers.", "error")
    elif store.request_retry(session, entry_id, user.username):
        flash(request, f"Réessai demandé pour {entry.filename} : il sera traité au début du prochain traitement "
                       "(« triage run »).")
    else:
        flash(request, "Cet élément n'est plus à traiter : rien n'a été changé.", "error")
    return RedirectResponse(f"/admin/quarantaine/{entry_id}", status_code=303)


@router.post("/{entry_id}/ecarter")
def discard(entry_id: int, request: Request, user: CurrentUser = Depends(require_admin),
            session=Depends(db), motif: str = Form(""), confirmation: str = Form("")):
    """Discard with a reason, after an explicit confirmation; the original stays in the file store."""
    entry = _entry(session, entry_id)
    back = RedirectResponse(f"/admin/quarantaine/{entry_id}", status_code=303)
    if confirmation != "oui" or not motif.strip():
        flash(request, "Pour écarter, indiquez un motif et cochez la confirmation.", "error")
        return back
    if not store.discard(session, entry_id, user.username, motif.strip()):
        flash(request, "Cet élément n'est plus à traiter : rien n'a été changé.", "error")
        return back
    flash(request, f"{entry.filename} écarté (l'original reste conservé dans le magasin de fichiers).")
    return RedirectResponse("/admin/quarantaine", status_code=303)
