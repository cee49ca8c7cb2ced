"""Logging in and out."""
from __future__ import annotations

import time

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse
from sqlalchemy.orm import Session

from pipeline.web.auth import db, flash, log_in, log_out, safe_next
from pipeline.web.pages import render
from pipeline.web.users import authenticate

router = APIRouter()
MAX_FAILURES = 5
LOCKOUT_S = 15 * 60


def _locked(request: Request, username: str) -> bool:
    failures = request.app.state.__dict__.setdefault("login_failures", {})
    recent = [t for t in failures.get(username.lower(), []) if time.time() - t < LOCKOUT_S]
    failures[username.lower()] = recent
    return len(recent) >= MAX_FAILURES


def _failed(request: Request, username: str) -> None:
    request.app.state.login_failures.setdefault(username.lower(), []).append(time.time())


@router.get("/connexion")
def login_page(request: Request, suite: str = "/"):
    reason = request.session.pop("login_reason", None)
    return render(request, "login.html", next_url=safe_next(suite), reason=reason, username="")


@router.post("/connexion")
def login(request: Request, username: str = Form(""), password: str = Form(""), suite: str = Form("/"),
          session: Session = Depends(db)):
    if _locked(request, username):
        return render(request, "login.html", status_code=429, next_url=safe_next(suite), username=username,
                      error="Trop d'essais infructueux : réessayez dans un quart d'heure.")
    user = authenticate(session, username, password)
    if user is None:
        _failed(request, username)
        return render(request, "login.html", status_code=401, next_url=safe_next(suite), username=username,
                      error="Identifiant ou mot de passe incorrect.")
    log_in(request, user)
    flash(request, f"Bonjour {user.username}.")
    return RedirectResponse(safe_next(suite), status_code=303)


@router.post("/deconnexion")
def logout(request: Request):
    log_out(request)
    request.session["login_reason"] = "Vous êtes déconnecté."
    return RedirectResponse("/connexion", status_code=303)
