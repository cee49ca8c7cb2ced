"""Administrators' pages: nightly runs, the quarantine (see, retry, discard), model versions."""
from __future__ import annotations

import json
import re
import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timezone
from pathlib import Path
from urllib.parse import quote

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from pipeline.classify.model_files import ACTIVE, activate_version, rollback
from pipeline.errors import ItemError, ModelError, TriageError
from pipeline.extract.filetype import sniff
from pipeline.item import Document
from pipeline.store import repository
from pipeline.store import model_versions, run_history
from pipeline.store.schema import QuarantineRow
from pipeline.web import originals
from pipeline.web.auth import CurrentUser, db, flash, require_admin
from pipeline.web.pages import render
from pipeline.web.routes.items import FRAME_POLICY
from pipeline.web.sanitize import email_frame_document

router = APIRouter(prefix="/admin")
PAGE_SIZE = 50
QUARANTINE_STATUSES = {"open": "À traiter", "retried": "Réessayé avec succès", "discarded": "Écarté"}
_stages_lock = threading.Lock()


def _page_number(request: Request) -> int:
    try:
        return max(1, int(request.query_params.get("page", "1")))
    except ValueError:
        return 1


@router.get("/executions")
def runs(request: Request, user: CurrentUser = Depends(require_admin), session=Depends(db)):
    number = _page_number(request)
    rows, total = run_history.page_of_runs(session, number, PAGE_SIZE)
    return render(request, "admin_runs.html", runs=rows, number=number, pages=max(1, -(-total // PAGE_SIZE)),
                  total=total)


@router.get("/quarantaine")
def quarantine(request: Request, user: CurrentUser = Depends(require_admin), session: Session = Depends(db)):
    status = request.query_params.get("statut", "open")
    status = status if status in QUARANTINE_STATUSES else "open"
    number = _page_number(request)
    total = session.execute(select(func.count()).select_from(QuarantineRow)
                            .where(QuarantineRow.status == status)).scalar_one()
    rows = session.execute(select(QuarantineRow).where(QuarantineRow.status == status)
                           .order_by(QuarantineRow.created_at.desc(), QuarantineRow.id.desc())
                           .offset((number - 1) * PAGE_SIZE).limit(PAGE_SIZE)).scalars().all()
    counts = dict(session.execute(select(QuarantineRow.status, func.count()).group_by(QuarantineRow.status)).all())
    return render(request, "admin_quarantine.html", rows=rows, status=status, statuses=QUARANTINE_STATUSES,
                  counts=counts, number=number, pages=max(1, -(-total // PAGE_SIZE)))


def _entry(session: Session, entry_id: int) -> QuarantineRow:
    row = session.get(QuarantineRow, entry_id)
    if row is None:
        raise HTTPException(404)
    return row


def _raw(request: Request, row: QuarantineRow) -> bytes | None:
    files = request.app.state.files
    return files.get(row.sha256) if files.exists(row.sha256) else None


def _kind(raw: bytes | None, filename: str) -> str | None:
    try:
        return sniff(raw, filename) if raw else None
    except ItemError:
        return None


@router.get("/quarantaine/{entry_id}")
def quarantine_entry(entry_id: int, request: Request, user: CurrentUser = Depends(require_admin),
                     session: Session = Depends(db)):
    row = _entry(session, entry_id)
    raw = _raw(request, row)
    kind = _kind(raw, row.filename)
    email_view, pages = None, []
    if kind == "message/rfc822":
        email_view = originals.read_email_view(raw)
    elif kind in originals.RENDERABLE:
        try:
            pages = list(range(1, originals.page_count(raw, kind) + 1))
        except ItemError:
            pages = []
    return render(request, "admin_quarantine_entry.html", entry=row, kind=kind, available=raw is not None,
                  email_view=email_view, pages=pages, statuses=QUARANTINE_STATUSES)


@router.get("/quarantaine/{entry_id}/original")
def quarantine_original(entry_id: int, request: Request, user: CurrentUser = Depends(require_admin),
                        session: Session = Depends(db)):
    row = _entry(session, entry_id)
    raw = _raw(request, row)
    if raw is None:
        raise HTTPException(404)
    name = row.filename.replace('"', "").replace("\r", "").replace("\n", "") or "original"
    return Response(raw, media_type="application/octet-stream",
                    headers={"Content-Disposition": f"attachment; filename*=UTF-8''{quote(name)}"})


@router.get("/quarantaine/{entry_id}/courriel.html")
def quarantine_email(entry_id: int, request: Request, user: CurrentUser = Depends(require_admin),
                     session: Session = Depends(db)):
    row = _entry(session, entry_id)
    raw = _raw(request, row)
    view = originals.read_email_view(raw) if _kind(raw, row.filename) == "message/rfc822" else None
    if view is None or view.html is None:
        raise HTTPException(404)
    return HTMLResponse(email_frame_document(view.html), headers={"Content-Security-Policy": FRAME_POLICY})


@router.get("/quarantaine/{entry_id}/pages/{number}.png")
def quarantine_page(entry_id: int, number: int, request: Request, user: CurrentUser = Depends(require_admin),
                    session: Session = Depends(db)):
    row = _entry(session, entry_id)
    raw = _raw(request, row)
    try:
        data = originals.page_png(raw or b"", row.sha256, _kind(raw, row.filename) or "", number,
                                  request.app.state.cache_dir)
    except (ItemError, OSError):
        raise HTTPException(404) from None
    return Response(data, media_type="image/png", headers={"Cache-Control": "private, max-age=86400"})


def _stages(request: Request):
    """The pipeline stages (spaCy, gazetteer, active model), loaded on the first retry only."""
    from pipeline.stages import Stages
    with _stages_lock:
        if getattr(request.app.state, "stages", None) is None:
            request.app.state.stages = Stages.load(request.app.state.settings)
    return request.app.state.stages


@router.post("/quarantaine/{entry_id}/reessayer")
def retry(entry_id: int, request: Request, user: CurrentUser = Depends(require_admin),
          session: Session = Depends(db)):
    """Run the stages again on the kept original: stored as an item if it now passes, else a new reason."""
    row = _entry(session, entry_id)
    raw = _raw(request, row)
    back = RedirectResponse(f"/admin/quarantaine/{entry_id}", status_code=303)
    if row.status != "open" or raw is None:
        flash(request, "Cet élément n'est plus en quarantaine ou son original est introuvable.", "error")
        return back
    document = Document(source=row.source, ref=row.ref, filename=row.filename, raw=raw)
    try:
        stages = _stages(request)
        with ThreadPoolExecutor(max_workers=1) as pool:
            outcome = stages.process([document], pool)[0]
    except TriageError as exc:
        flash(request, f"Réessai impossible : {exc}", "error")
        return back
    if outcome.error:
        row.reason = outcome.error[:2000]
        session.commit()
        flash(request, f"Toujours en échec : {outcome.error}", "error")
        return back
    files, settings = request.app.state.files, request.app.state.settings
    item = repository.find_existing(session, document.sha256, outcome.item.message_id)
    if item is None:
        item = repository.save_item(session, outcome.item, files, run_id=None, chrono_pattern=settings.chrono_pattern)
        session.flush()
    row.status, row.resolved_by, row.resolved_at, row.item_id = "retried", user.username, datetime.now(timezone.utc), \
        item.id
    session.commit()
    flash(request, f"Réessai réussi : enregistré sous {item.chrono}.")
    return RedirectResponse(f"/elements/{item.id}", status_code=303)


@router.post("/quarantaine/{entry_id}/ecarter")
def discard(entry_id: int, request: Request, user: CurrentUser = Depends(require_admin),
            session: Session = Depends(db)):
    row = _entry(session, entry_id)
    if row.status == "open":
        row.status, row.resolved_by, row.resolved_at = "discarded", user.username, datetime.now(timezone.utc)
        session.commit()
        flash(request, f"{row.filename} écarté (l'original reste conservé dans le magasin de fichiers).")
    return RedirectResponse("/admin/quarantaine", status_code=303)


VERSION = re.compile(r"^[0-9]{8}-[0-9]{6}-[0-9]{6}$")


def _model_files(model_dir: Path) -> list[dict]:
    out = []
    for path in sorted(Path(model_dir).glob("competence-*.json"), reverse=True):
        try:
            out.append(json.loads(path.read_text(encoding="utf-8")))
        except (OSError, ValueError):
            continue
    return out


@router.get("/modeles")
def models(request: Request, user: CurrentUser = Depends(require_admin), session=Depends(db)):
    model_dir = Path(request.app.state.settings.classifier.model_dir)
    rows = model_versions.by_version(session)
    versions = []
    for meta in _model_files(model_dir):
        version = meta.get("version", "")
        row = rows.pop(version, None)
        versions.append({"version": version, "created_at": meta.get("created_at"),
                         "metrics": {**meta.get("metrics", {}), **(row.metrics if row else {})},
                         "training": meta.get("training", {}), "decision": meta.get("decision", {}),
                         "sha256": meta.get("sha256", ""),
                         "confusion": (model_dir / f"competence-{version}.confusion.png").exists()})
    versions += [{"version": r.version, "created_at": r.created_at.isoformat() if r.created_at else None,
                  "metrics": r.metrics, "training": {}, "decision": {}, "sha256": r.digest, "confusion": False}
                 for r in rows.values()]
    try:
        pointer = json.loads((model_dir / ACTIVE).read_text())
    except (OSError, ValueError):
        pointer = {}
    return render(request, "admin_models.html", versions=versions, active=pointer.get("version"),
                  previous=(pointer.get("previous") or [None])[-1], model_dir=model_dir)


@router.get("/modeles/{version}/confusion.png")
def confusion(version: str, request: Request, user: CurrentUser = Depends(require_admin)):
    path = Path(request.app.state.settings.classifier.model_dir) / f"competence-{version}.confusion.png"
    if not VERSION.match(version) or not path.exists():
        raise HTTPException(404)
    return Response(path.read_bytes(), media_type="image/png")


@router.post("/modeles/{version}/activer")
def activate(version: str, request: Request, user: CurrentUser = Depends(require_admin)):
    """Make a stored version the one the next run uses (the replaced one can be restored)."""
    model_dir = request.app.state.settings.classifier.model_dir
    try:
        if not VERSION.match(version):
            raise ModelError("version de modèle invalide")
        activate_version(model_dir, version)
    except ModelError as exc:
        flash(request, f"Activation refusée : {exc}", "error")
    else:
        request.app.state.stages = None  # a quarantine retry loads the newly active model
        flash(request, f"Modèle {version} activé par {user.username} : il servira dès le prochain traitement.")
    return RedirectResponse("/admin/modeles", status_code=303)


@router.post("/modeles/retour")
def roll_back(request: Request, user: CurrentUser = Depends(require_admin)):
    try:
        version = rollback(request.app.state.settings.classifier.model_dir)
    except ModelError as exc:
        flash(request, f"Retour impossible : {exc}", "error")
    else:
        request.app.state.stages = None
        flash(request, f"Retour au modèle {version}.")
    return RedirectResponse("/admin/modeles", status_code=303)
