"""Administrators' pages: nightly runs, model versions (the quarantine is in routes/quarantine.py)."""
from __future__ import annotations

import json
import re
from pathlib import Path

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import RedirectResponse, Response

from pipeline.classify.model_files import ACTIVE, activate_version, rollback
from pipeline.errors import ModelError
from pipeline.store import model_versions, runs as run_store
from pipeline.web.auth import CurrentUser, db, flash, require_admin
from pipeline.web.pages import render

router = APIRouter(prefix="/admin")
PAGE_SIZE = 50


def _page_number(request: Request) -> int:
    try:
        return max(1, int(request.query_params.get("page", "1")))
    except ValueError:
        return 1


@router.get("/executions")
def runs(request: Request, user: CurrentUser = Depends(require_admin), session=Depends(db)):
    number = _page_number(request)
    rows, total = run_store.list_runs(session, offset=(number - 1) * PAGE_SIZE, limit=PAGE_SIZE)
    return render(request, "admin_runs.html", runs=rows, number=number, pages=max(1, -(-total // PAGE_SIZE)),
                  total=total)


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
        flash(request, f"Modèle {version} activé par {user.username} : il servira dès le prochain traitement.")
    return RedirectResponse("/admin/modeles", status_code=303)


@router.post("/modeles/retour")
def roll_back(request: Request, user: CurrentUser = Depends(require_admin)):
    try:
        version = rollback(request.app.state.settings.classifier.model_dir)
    except ModelError as exc:
        flash(request, f"Retour impossible : {exc}", "error")
    else:
        flash(request, f"Retour au modèle {version}.")
    return RedirectResponse("/admin/modeles", status_code=303)
