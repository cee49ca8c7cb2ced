"""The review application: FastAPI, server-rendered French pages, a little JavaScript for the keys.

`create_app(settings)` opens the database once and hands it to the routes (the `db` dependency of
pipeline/web/auth.py gives each request a session of it; the queries are in pipeline/store/), and
wires reference data, sessions, CSRF, security headers and the routes (one module per noun in
pipeline/web/routes/). `triage serve` runs it with uvicorn.
"""
from __future__ import annotations

import time
from pathlib import Path
from urllib.parse import quote
from zoneinfo import ZoneInfo

from fastapi import Depends, FastAPI, Request
from fastapi.exceptions import HTTPException, RequestValidationError
from fastapi.responses import RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.middleware.sessions import SessionMiddleware

from pipeline.config import Settings
from pipeline.errors import ConfigError
from pipeline.reference import load_reference
from pipeline.routing_table import load_routing_table
from pipeline.store.directory import directory_table
from pipeline.store import search
from pipeline.store.database import open_database
from pipeline.store.files import FileStore
from pipeline.store.queue import Searching
from pipeline.web.auth import ClerksOnly, CsrfRejected, Forbidden, LoginRequired, verify_csrf
from pipeline.web.pages import render, templates
from pipeline.web.password_checks import PasswordChecks
from pipeline.web.review import Context

HERE = Path(__file__).parent
MIN_SECRET = 32
PAGE_POLICY = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
               "frame-src 'self'; frame-ancestors 'self'; form-action 'self'; base-uri 'none'; object-src 'none'")


class ServerTiming:
    """Pure ASGI middleware: the time spent in the application, as a Server-Timing header."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        started = time.perf_counter()

        async def timed_send(message):
            if message["type"] == "http.response.start":
                elapsed = (time.perf_counter() - started) * 1000
                headers = list(message.get("headers", []))
                headers.append((b"server-timing", f"app;dur={elapsed:.1f}".encode()))
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, timed_send)


def _security_headers(response, path: str) -> None:
    response.headers.setdefault("Content-Security-Policy", PAGE_POLICY)
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("X-Frame-Options", "SAMEORIGIN")
    response.headers.setdefault("Referrer-Policy", "no-referrer")
    if not path.startswith("/static/"):
        response.headers.setdefault("Cache-Control", "no-store")


def create_app(settings: Settings, *, database=None, secret_key: str | None = None) -> FastAPI:
    """Build the application; the secret comes from the environment variable the config names.

    `database` (what open_database returns) is opened here from the settings when not given.
    """
    secret = secret_key or settings.web.secret_key.resolve()
    if len(secret) < MIN_SECRET:
        raise ConfigError(f"clé secrète des sessions trop courte ({len(secret)} caractères, {MIN_SECRET} au moins)",
                          hint="export TRIAGE_WEB_SECRET=$(openssl rand -hex 32)")
    database = database or open_database(settings.database_url)
    search.tune_for_queries(database)
    app = FastAPI(title="triage : relecture", docs_url=None, redoc_url=None, openapi_url=None,
                  dependencies=[Depends(verify_csrf)])
    app.state.settings = settings
    app.state.database = database
    app.state.password_checks = PasswordChecks()
    app.state.files = FileStore(settings.file_store_dir)
    app.state.cache_dir = settings.data_dir / "cache" / "pages"
    app.state.zone = ZoneInfo(settings.timezone)
    app.state.reference = load_reference(settings.reference_dir)
    app.state.context = Context(app.state.reference, directory_table(database, load_routing_table(settings.routing_file)),
                                app.state.zone)  # names and words from the directory (pipeline/web/routes/directory.py)
    app.state.searching = Searching(search.search_mode(database), app.state.zone)
    templates.env.globals["zone"] = app.state.zone

    @app.middleware("http")
    async def headers(request: Request, call_next):
        response = await call_next(request)
        _security_headers(response, request.url.path)
        return response

    app.add_middleware(SessionMiddleware, secret_key=secret, session_cookie="triage_session",
                       max_age=settings.web.session_idle_minutes * 60, same_site="lax",
                       https_only=settings.web.cookie_secure)
    app.add_middleware(ServerTiming)

    @app.exception_handler(LoginRequired)
    async def login_required(request: Request, exc: LoginRequired):
        if exc.reason:
            request.session["login_reason"] = exc.reason
        return RedirectResponse(f"/connexion?suite={quote(exc.next_url, safe='')}", status_code=303)

    @app.exception_handler(Forbidden)
    async def forbidden(request: Request, exc: Forbidden):
        return render(request, "error.html", status_code=403, title="Accès refusé",
                      message="Cette page est réservée aux administrateurs.")

    @app.exception_handler(ClerksOnly)
    async def clerks_only(request: Request, exc: ClerksOnly):
        if request.method == "GET" and request.url.path in ("/", "/file"):
            return RedirectResponse("/corbeille", status_code=303)
        return render(request, "error.html", status_code=403, title="Accès refusé",
                      message="Cette page est réservée à l'équipe du courrier : votre compte donne accès à la "
                              "corbeille de votre service.")

    @app.exception_handler(CsrfRejected)
    async def csrf_rejected(request: Request, exc: CsrfRejected):
        return render(request, "error.html", status_code=403, title="Formulaire refusé",
                      message="Le jeton de sécurité du formulaire est absent ou périmé (page restée ouverte "
                              "trop longtemps ?). Rechargez la page puis recommencez.")

    @app.exception_handler(RequestValidationError)
    async def incomplete_form(request: Request, exc: RequestValidationError):
        return render(request, "error.html", status_code=400, title="Formulaire incomplet",
                      message="Il manque une information (par exemple la compétence) ou une valeur est invalide. "
                              "Revenez en arrière, complétez puis validez à nouveau.")

    @app.exception_handler(HTTPException)
    async def http_error(request: Request, exc: HTTPException):
        titles = {404: "Page introuvable", 405: "Action impossible"}
        return render(request, "error.html", status_code=exc.status_code,
                      title=titles.get(exc.status_code, "Erreur"),
                      message=exc.detail if isinstance(exc.detail, str) and exc.status_code != 404
                      else "Cette page n'existe pas ou l'élément a été supprimé.")

    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")
    from pipeline.web.routes import (admin, debrief, items, letters, login, pickers, quarantine, queue, registration,
                                     services, users)
    for module in (login, queue, items, registration, pickers, services, debrief, letters, admin, quarantine, users):
        app.include_router(module.router)
    from pipeline.web.routes import knowledge as knowledge_routes
    app.include_router(knowledge_routes.router)
    from pipeline.web.routes import destinations, directory as directory_routes
    app.include_router(directory_routes.router)
    app.include_router(destinations.router)
    from pipeline.web.routes import baskets
    app.include_router(baskets.router)

    @app.get("/", include_in_schema=False)
    def home():
        return RedirectResponse("/file", status_code=303)

    @app.get("/favicon.ico", include_in_schema=False)
    def favicon():
        return Response(status_code=204)

    return app
