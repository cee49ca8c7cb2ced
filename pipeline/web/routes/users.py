"""Administrators manage accounts: create (a service's or town hall's account bound to its directory
entry), change role, deactivate, set a new password."""
from __future__ import annotations

from fastapi import APIRouter, Depends, Form, HTTPException, Request
from fastapi.responses import RedirectResponse

from pipeline.store import users as store
from pipeline.store.users import Account, UserError
from pipeline.web.auth import CurrentUser, db, flash, require_admin
from pipeline.web.pages import ROLES, render

router = APIRouter(prefix="/admin/utilisateurs")


@router.get("")
def users(request: Request, user: CurrentUser = Depends(require_admin), session=Depends(db)):
    entries = store.basket_entries(session)
    return render(request, "admin_users.html", users=store.list_users(session), entries=entries,
                  entry_names={e.id: e.name for e in entries})


@router.post("")
def create(request: Request, username: str = Form(...), password: str = Form(...), role: str = Form("agent"),
           entree: str = Form(""), courriel: str = Form(""), user: CurrentUser = Depends(require_admin),
           session=Depends(db)):
    entry_id = int(entree) if role == "service" and entree.isdigit() else None
    try:
        store.add_user(session, username.strip(), password, role, entry_id=entry_id, email=courriel)
    except UserError as exc:
        flash(request, f"Compte non créé : {exc}", "error")
    else:
        flash(request, f"Compte {username.strip()} créé ({ROLES[role].lower()}).")
    return RedirectResponse("/admin/utilisateurs", status_code=303)


def _target(session, user_id: int) -> Account:
    found = store.account(session, user_id)
    if found is None:
        raise HTTPException(404)
    return found


@router.post("/{user_id}")
def update(user_id: int, request: Request, role: str = Form(...), active: str = Form(""),
           user: CurrentUser = Depends(require_admin), session=Depends(db)):
    target = _target(session, user_id)
    if role not in ROLES:
        flash(request, "Rôle inconnu.", "error")
    elif target.id == user.id and (role != "admin" or active != "1"):
        flash(request, "Vous ne pouvez ni retirer votre propre rôle d'administrateur ni désactiver votre compte.",
              "error")
    else:
        try:
            store.update_account(session, target.id, role, active == "1")
        except UserError as exc:
            flash(request, f"Compte inchangé : {exc}", "error")
            return RedirectResponse("/admin/utilisateurs", status_code=303)
        closed = "" if active == "1" and role == target.role else " : ses sessions ouvertes sont fermées"
        flash(request, f"Compte {target.username} mis à jour{closed}.")
    return RedirectResponse("/admin/utilisateurs", status_code=303)


@router.post("/{user_id}/mot-de-passe")
def password(user_id: int, request: Request, password: str = Form(...),
             user: CurrentUser = Depends(require_admin), session=Depends(db)):
    target = _target(session, user_id)
    try:
        store.set_password(session, target.username, password)
    except UserError as exc:
        flash(request, f"Mot de passe inchangé : {exc}", "error")
    else:
        flash(request, f"Nouveau mot de passe enregistré pour {target.username} : ses sessions ouvertes sont fermées.")
    return RedirectResponse("/admin/utilisateurs", status_code=303)
