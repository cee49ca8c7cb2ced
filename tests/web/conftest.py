"""Web fixtures: a seeded database (SQLite and PostgreSQL), accounts, an HTTP client, a live server, Chromium."""
from __future__ import annotations

import re
import socket
import threading
import time
from pathlib import Path

import pytest

from pipeline.config import load_settings
from pipeline.store.database import open_database
from pipeline.store.users import add_user
from pipeline.web.app import create_app
from tests.conftest import ROOT
from tests.web.seed import sample_items, store

SECRET = "secret-de-test-" + "x" * 32
PASSWORDS = {"agent": "agent-mot-de-passe", "admin": "admin-mot-de-passe", "agent2": "agent2-mot-de-passe"}
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--no-first-run", "--disable-sync"]


def web_settings(tmp_path: Path, database_url: str):
    return load_settings(ROOT / "config/triage.toml", database_url=database_url, data_dir=tmp_path / "var",
                         reference_dir=ROOT / "data/reference", routing_file=ROOT / "config/routing.toml",
                         folders=[])


@pytest.fixture
def site(tmp_path, database_url):
    """Settings, sessions, three accounts and a few seeded items (ids in `site.items`)."""
    settings = web_settings(tmp_path, database_url)
    sessions = open_database(database_url)
    with sessions() as session:
        add_user(session, "agent", PASSWORDS["agent"], "agent")
        add_user(session, "agent2", PASSWORDS["agent2"], "agent")
        add_user(session, "admin", PASSWORDS["admin"], "admin")
    ids = store(sessions, settings.file_store_dir, sample_items(4))
    app = create_app(settings, database=sessions, secret_key=SECRET)
    yield type("Site", (), {"settings": settings, "sessions": sessions, "items": ids, "app": app})
    sessions.kw["bind"].dispose()


def csrf_of(html: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


def login(client, username: str, password: str | None = None):
    page = client.get("/connexion")
    return client.post("/connexion", data={"username": username, "password": password or PASSWORDS[username],
                                           "csrf_token": csrf_of(page.text), "suite": "/file"},
                       follow_redirects=False)


@pytest.fixture
def client(site):
    from fastapi.testclient import TestClient
    with TestClient(site.app, base_url="http://testserver") as test_client:
        yield test_client


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def live_server(site):
    """The application under a real uvicorn on loopback; yields its base URL."""
    import uvicorn
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(site.app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        if time.monotonic() > deadline:
            raise RuntimeError("le serveur de test n'a pas démarré")
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.skip("Chromium absent (apt-get install chromium)")
    from playwright.sync_api import sync_playwright
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(locale="fr-FR", viewport={"width": 1440, "height": 900})
    opened = context.new_page()
    opened.set_default_timeout(10_000)
    yield opened
    context.close()


def browser_login(page, base_url: str, username: str) -> None:
    page.goto(f"{base_url}/file")
    page.fill('input[name="username"]', username)
    page.fill('input[name="password"]', PASSWORDS[username])
    page.click('button[type="submit"]')
    page.wait_for_url(f"{base_url}/file")
