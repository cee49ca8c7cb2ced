"""Who is asking: signed session cookies that expire, roles, and CSRF tokens on every form.

The session cookie (Starlette's, signed with the configured secret) holds the user id, a
fingerprint of the password hash, when the session started and a CSRF token. The cookie is
refused when idle too long (its signature is dated, and re-signed at most once a minute while
the clerk works), and each request checks the account is still active, its password unchanged
and the session younger than the maximum lifetime.
"""
from __future__ import annotations

import hmac
import secrets
import time
from dataclasses import dataclass
from urllib.parse import quote, urlsplit

from fastapi import Depends, Request
from sqlalchemy.orm import Session

from pipeline.store.schema import AppUserRow
from pipeline.web.users import fingerprint

SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}


@dataclass(frozen=True)
class CurrentUser:
    id: int
    username: str
    role: str

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"


class LoginRequired(Exception):
    """No valid session: the handler sends the browser to the login page."""

    def __init__(self, next_url: str, reason: str | None = None):
        self.next_url, self.reason = next_url, reason


class Forbidden(Exception):
    """Logged in, but this page is for administrators."""


class CsrfRejected(Exception):
    """A form came without the token of this session (or from another site)."""


def db(request: Request):
    """One database session per request."""
    with request.app.state.sessions() as session:
        yield session


def csrf_token(request: Request) -> str:
    """The token forms of this session must carry; created on first use."""
    token = request.session.get("csrf")
    if not token:
        token = request.session["csrf"] = secrets.token_urlsafe(32)
    return token


def log_in(request: Request, user: AppUserRow) -> None:
    """Start a fresh session (new CSRF token: nothing from before the login survives)."""
    request.session.clear()
    request.session.update({"uid": user.id, "fp": fingerprint(user), "iat": int(time.time()),
                            "csrf": secrets.token_urlsafe(32)})


def log_out(request: Request) -> None:
    request.session.clear()


def flash(request: Request, message: str, kind: str = "ok") -> None:
    """A message shown once, on the next page."""
    request.session["flash"] = [*request.session.get("flash", []), [kind, message]]  # assigned: marks it changed


def pop_flashes(request: Request) -> list[tuple[str, str]]:
    return [tuple(m) for m in request.session.pop("flash", [])]


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


def current_user(request: Request, session: Session = Depends(db)) -> CurrentUser:
    uid = request.session.get("uid")
    if uid is None:
        raise LoginRequired(_next_url(request))
    settings = request.app.state.settings.web
    row = session.get(AppUserRow, uid)
    expired = time.time() - request.session.get("iat", 0) > settings.session_max_hours * 3600
    if row is None or not row.active or request.session.get("fp") != fingerprint(row) or expired:
        request.session.clear()
        raise LoginRequired(_next_url(request), "Votre session a expiré : reconnectez-vous.")
    now = int(time.time())
    if now - request.session.get("seen", 0) >= 60:  # re-signs the cookie: the idle delay runs from the last use
        request.session["seen"] = now
    user = CurrentUser(row.id, row.username, row.role)
    request.state.user = user
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
