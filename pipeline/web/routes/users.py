"""Administrators manage accounts: create, change role, deactivate, set a new password."""
from __future__ import annotations

from fastapi import APIRouter, Depends, Form, HTTPException, Request
from fastapi.responses import RedirectResponse
from sqlalchemy.orm import Session

from pipeline.store.schema import AppUserRow
from pipeline.web.auth import CurrentUser, db, flash, require_admin
from pipeline.web.pages import render
from pipeline.web.users import ROLES, UserError, add_user, list_users, set_password

router = APIRouter(prefix="/admin/utilisateurs")


@router.get("")
def users(request: Request, user: CurrentUser = Depends(require_admin), session: Session = Depends(db)):
    return render(request, "admin_users.html", users=list_users(session))


@router.post("")
def create(request: Request, username: str = Form(...), password: str = Form(...), role: str = Form("agent"),
           user: CurrentUser = Depends(require_admin), session: Session = Depends(db)):
    try:
        add_user(session, username.strip(), password, role)
        session.commit()
    except UserError as exc:
        session.rollback()
        flash(request, f"Compte non créé : {exc}", "error")
    else:
        flash(request, f"Compte {username.strip()} créé ({ROLES[role].lower()}).")
    return RedirectResponse("/admin/utilisateurs", status_code=303)


def _target(session: Session, user_id: int) -> AppUserRow:
    row = session.get(AppUserRow, user_id)
    if row is None:
        raise HTTPException(404)
    return row


@router.post("/{user_id}")
def update(user_id: int, request: Request, role: str = Form(...), active: str = Form(""),
           user: CurrentUser = Depends(require_admin), session: Session = Depends(db)):
    row = _target(session, user_id)
    if role not in ROLES:
        flash(request, "Rôle inconnu.", "error")
    elif row.id == user.id and (role != "admin" or active != "1"):
        flash(request, "Vous ne pouvez ni retirer votre propre rôle d'administrateur ni désactiver votre compte.",
              "error")
    else:
        row.role, row.active = role, active == "1"
        session.commit()
        flash(request, f"Compte {row.username} mis à jour.")
    return RedirectResponse("/admin/utilisateurs", status_code=303)


@router.post("/{user_id}/mot-de-passe")
def password(user_id: int, request: Request, password: str = Form(...),
             user: CurrentUser = Depends(require_admin), session: Session = Depends(db)):
    row = _target(session, user_id)
    try:
        set_password(session, row.username, password)
        session.commit()
    except UserError as exc:
        session.rollback()
        flash(request, f"Mot de passe inchangé : {exc}", "error")
    else:
        flash(request, f"Nouveau mot de passe enregistré pour {row.username} : ses sessions ouvertes sont fermées.")
    return RedirectResponse("/admin/utilisateurs", status_code=303)
