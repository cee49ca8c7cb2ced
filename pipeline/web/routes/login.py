"""Logging in and out; failed tries throttled per name and client (rules in pipeline/store/users.py)."""
from __future__ import annotations

import logging
from dataclasses import dataclass

from fastapi import APIRouter, Depends, Form, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import RedirectResponse

from pipeline.store import users
from pipeline.store.users import Account
from pipeline.web.auth import db, flash, log_in, log_out, safe_next
from pipeline.web.pages import render
from pipeline.web.password_checks import Busy

router = APIRouter()
log = logging.getLogger("triage.web")


@router.get("/connexion")
def login_page(request: Request, suite: str = "/"):
    reason = request.session.pop("login_reason", None)
    return render(request, "login.html", next_url=safe_next(suite), reason=reason, username="")


def _delay(seconds: int) -> str:
    if seconds < 60:
        return f"{seconds} seconde{'s' if seconds > 1 else ''}"
    minutes = -(-seconds // 60)
    return f"{minutes} minute{'s' if minutes > 1 else ''}"


def _wait(database, username: str, client: str) -> int:
    with database() as session:
        return users.wait_before_login(session, username, client)


@dataclass(frozen=True)
class Attempt:
    user: Account | None  # None: wrong name or password, or not tried
    wait: int = 0  # seconds to wait: not tried at all


def _check(database, username: str, password: str, client: str) -> Attempt:
    """Try the password unless the throttle says wait; a failure is recorded for it, a success clears it.

    The throttle is read again here, in the verification slot: tries sent in parallel all passed
    the first reading before any of them failed, and must not all be verified.
    """
    with database() as session:
        wait = users.wait_before_login(session, username, client)
        if wait:
            return Attempt(None, wait)
        user = users.authenticate(session, username, password)
        if user is None:
            users.record_failure(session, username, client)
        else:
            users.clear_failures(session, username, client)
        return Attempt(user)


def _throttled(request: Request, username: str, client: str, wait: int, suite: str):
    log.warning("connexion refusée pour %r depuis %s : trop d'essais infructueux (attente %d s)",
                username.strip()[:100], client, wait)
    return render(request, "login.html", status_code=429, next_url=safe_next(suite), username=username,
                  error=f"Trop d'essais infructueux pour cet identifiant : réessayez dans {_delay(wait)}.")


def _start(request: Request, database, user) -> None:
    with database() as session:
        log_in(request, session, user)


@router.post("/connexion")
async def login(request: Request, username: str = Form(""), password: str = Form(""), suite: str = Form("/")):
    database, client = request.app.state.database, request.client.host if request.client else ""
    wait = await run_in_threadpool(_wait, database, username, client)
    if wait:  # refused before queueing for a password check
        return _throttled(request, username, client, wait, suite)
    try:
        attempt = await request.app.state.password_checks.run(_check, database, username, password, client)
    except Busy:
        log.warning("connexion refusée depuis %s : trop de vérifications de mot de passe en cours", client)
        return render(request, "login.html", status_code=503, next_url=safe_next(suite), username=username,
                      error="Trop de connexions en cours : réessayez dans un instant.")
    if attempt.wait:
        return _throttled(request, username, client, attempt.wait, suite)
    user = attempt.user
    if user is None:
        return render(request, "login.html", status_code=401, next_url=safe_next(suite), username=username,
                      error="Identifiant ou mot de passe incorrect.")
    await run_in_threadpool(_start, request, database, user)
    flash(request, f"Bonjour {user.username}.")
    landing = safe_next(suite)
    if user.is_service and not landing.startswith("/corbeille"):  # the clerks' pages are not theirs
        landing = "/corbeille"
    return RedirectResponse(landing, status_code=303)


@router.post("/deconnexion")
def logout(request: Request, session=Depends(db)):
    log_out(request, session)
    request.session["login_reason"] = "Vous êtes déconnecté."
    return RedirectResponse("/connexion", status_code=303)
