"""Who is asking: server-side sessions behind signed cookies, roles, and CSRF tokens on every form.

The session cookie (Starlette's, signed with the configured secret) holds the token of a
server-side session (pipeline/store/users.py), and a CSRF token. The cookie is refused when idle
too long (its signature is dated, and re-signed at most once a minute while the clerk works);
the server-side session ends at logout, on a new password, when the account is disabled, and
after the maximum lifetime, so a copied cookie stops working with it.
"""
from __future__ import annotations

import hmac
import secrets
import time
from urllib.parse import quote, urlsplit

from fastapi import Depends, Request

from pipeline.store import users
from pipeline.store.users import Account

SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}


CurrentUser = Account  # what the routes receive: plain data, not a database row


class LoginRequired(Exception):
    """No valid session: the handler sends the browser to the login page."""

    def __init__(self, next_url: str, reason: str | None = None):
        self.next_url, self.reason = next_url, reason


class Forbidden(Exception):
    """Logged in, but this page is for administrators."""


class ClerksOnly(Exception):
    """A service account asked for a page of the mail team (everything but its basket)."""


class CsrfRejected(Exception):
    """A form came without the token of this session (or from another site)."""


def db(request: Request):
    """One database session per request, from the database opened once at the app's start."""
    with request.app.state.database() as session:
        yield session


def csrf_token(request: Request) -> str:
    """The token forms of this session must carry; created on first use."""
    token = request.session.get("csrf")
    if not token:
        token = request.session["csrf"] = secrets.token_urlsafe(32)
    return token


def log_in(request: Request, session, user: Account) -> None:
    """Start a fresh session (new CSRF token: nothing from before the login survives)."""
    request.session.clear()
    max_hours = request.app.state.settings.web.session_max_hours
    request.session.update({"sid": users.start_session(session, user.id, max_hours),
                            "csrf": secrets.token_urlsafe(32)})


def log_out(request: Request, session) -> None:
    """End the session on the server too: a copy of the cookie is worth nothing afterwards."""
    token = request.session.get("sid")
    if isinstance(token, str):
        users.end_session(session, token)
    request.session.clear()


def flash(request: Request, message: str, kind: str = "ok") -> None:
    """A message shown once, on the next page."""
    request.session["flash"] = [*request.session.get("flash", []), [kind, message]]  # assigned: marks it changed


def pop_flashes(request: Request) -> list[tuple[str, str, str]]:
    """(kind, message, undo URL or "") of each message waiting for this page."""
    return [(m[0], m[1], m[2] if len(m) > 2 else "") for m in request.session.pop("flash", [])]


async def verify_csrf(request: Request) -> None:
    """App-wide dependency: every unsafe request must carry this session's token and come from here."""
    if request.method in SAFE_METHODS:
        return
    origin = request.headers.get("origin")
    if origin and origin != "null" and urlsplit(origin).netloc != request.headers.get("host"):
        raise CsrfRejected()
    expected = request.session.get("csrf")
    form = await request.form()
    given = form.get("csrf_token") or request.headers.get("x-csrf-token") or ""
    if not expected or not isinstance(given, str) or not hmac.compare_digest(given, expected):
        raise CsrfRejected()


def _next_url(request: Request) -> str:
    if request.method != "GET":  # a form posted after expiry: come back to the page it was on
        referer = urlsplit(request.headers.get("referer", ""))
        return quote(referer.path + (f"?{referer.query}" if referer.query else ""), safe="/?=&%") or "/"
    query = f"?{request.url.query}" if request.url.query else ""
    return quote(request.url.path + query, safe="/?=&%")


def signed_in(request: Request, session=Depends(db)) -> CurrentUser:
    """Any account with a live session, service accounts included: only for the pages that scope what
    they show with pipeline/store/access.py (the basket, an item's files)."""
    token = request.session.get("sid")
    if not isinstance(token, str):
        raise LoginRequired(_next_url(request))
    user = users.session_account(session, token, request.app.state.settings.web.session_max_hours)
    if user is None:
        request.session.clear()
        raise LoginRequired(_next_url(request), "Votre session a expiré : reconnectez-vous.")
    now = int(time.time())
    if now - request.session.get("seen", 0) >= 60:  # re-signs the cookie: the idle delay runs from the last use
        request.session["seen"] = now
    request.state.user = user
    return user


def current_user(user: CurrentUser = Depends(signed_in)) -> CurrentUser:
    """A clerk or an administrator. Every page depends on it unless it says otherwise, so a new page is
    closed to service accounts until it is written for them."""
    if user.is_service:
        raise ClerksOnly()
    return user


def require_admin(user: CurrentUser = Depends(current_user)) -> CurrentUser:
    if not user.is_admin:
        raise Forbidden()
    return user


def safe_next(url: str | None) -> str:
    """Only local paths after login (no open redirect to another site)."""
    if not url or not url.startswith("/") or url.startswith("//") or "\\" in url or \
            any(ord(char) < 32 for char in url):
        return "/"
    return url
