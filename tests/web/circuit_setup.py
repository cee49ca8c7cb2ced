"""What the circuit test sets up with the real commands: a config file (SMTP, links to the live site),
`triage migrate`, accounts made with `triage users add`, letters dropped for `triage run`, and the
uvicorn server of the application built from that same config."""
from __future__ import annotations

import os
import subprocess
import threading
import time
from email.message import EmailMessage
from pathlib import Path

from pipeline.config import load_settings
from pipeline.store.database import open_database
from pipeline.web.app import create_app
from tests.ops.conftest import ROOT, TRIAGE, smtp_section, write_config

PASSWORDS = {"admin": "admin-mot-de-passe", "courrier": "courrier-mot-de-passe", "eau": "eau-mot-de-passe",
             "voirie": "voirie-mot-de-passe"}
SECRET = "secret-du-circuit-" + "x" * 32
# Three letters of the night: two for the water service (one it answers, one it sends back), one for waste
# (its only agent is away: his substitute, at the roads service, gets it).
LETTERS = {
    "fuite": ("Fuite d'eau au compteur",
              "Une fuite d'eau coule sur le compteur devant le 12 rue des Vignes, 25220 Thise.\n"
              "Pouvez-vous envoyer un technicien ?"),
    "egout": ("Raccordement au tout-à-l'égout",
              "Je souhaite raccorder ma maison du 8 rue de Belfort à Besançon au réseau d'assainissement "
              "collectif. Quelles sont les démarches et le coût du branchement ?"),
    "bac": ("Bac d'ordures ménagères non collecté",
            "Notre bac d'ordures ménagères n'a pas été collecté cette semaine au 3 rue des Tilleuls, 25000 "
            "Besançon. La collecte des déchets est-elle décalée ?"),
}
COMPETENCES = {"fuite": "eau_assainissement", "egout": "eau_assainissement", "bac": "dechets"}
KEYS = {"eau_assainissement": "1", "dechets": "2"}  # the clerks' competence keys on an item page


def configure(tmp_path: Path, model_dir: Path, database_url: str, smtp_port: int, web_port: int) -> Path:
    notify = f'[notify]\nbase_url = "http://127.0.0.1:{web_port}"\n'
    return write_config(tmp_path, model_dir, database_url, extra=smtp_section(smtp_port) + notify)


def triage(*args: str, stdin: str | None = None, timeout: float = 300) -> subprocess.CompletedProcess:
    result = subprocess.run([TRIAGE, *args], input=stdin, capture_output=True, text=True, timeout=timeout, cwd=ROOT,
                            env={**os.environ, "COLUMNS": "200"})
    assert result.returncode == 0, f"triage {' '.join(args)} : {result.returncode}\n{result.stdout}\n{result.stderr}"
    return result


def add_account(config: Path, username: str, *options: str) -> str:
    return triage("users", "add", username, *options, "--password-stdin", "-c", str(config),
                  stdin=PASSWORDS[username] + "\n").stdout


def drop_letters(inbox: Path) -> None:
    for n, (name, (subject, body)) in enumerate(LETTERS.items()):
        message = EmailMessage()  # headers encoded as most mail clients do (RFC 2047)
        message["From"], message["To"] = f"Usager {n} <usager{n}@example.org>", "courrier@grandbesancon.fr"
        message["Subject"], message["Date"] = subject, f"Mon, 30 Nov 2026 09:1{n}:00 +0100"
        message["Message-ID"] = f"<circuit-{name}@example.org>"
        message.set_content(f"Bonjour,\n{body}\nCordialement.\n")
        (inbox / f"{name}.eml").write_bytes(message.as_bytes())


class Site:
    """The application of `config` under a real uvicorn on `port`, and its database."""

    def __init__(self, config: Path, port: int):
        import uvicorn
        self.settings = load_settings(config)
        self.sessions = open_database(self.settings.database_url)
        self.url = f"http://127.0.0.1:{port}"
        app = create_app(self.settings, database=self.sessions, secret_key=SECRET)
        self.server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def __enter__(self) -> "Site":
        self.thread.start()
        deadline = time.monotonic() + 20
        while not self.server.started:
            if time.monotonic() > deadline:
                raise RuntimeError("le serveur de test n'a pas démarré")
            time.sleep(0.05)
        return self

    def __exit__(self, *exc) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)
        self.sessions.kw["bind"].dispose()


def sign_in(browser, site: Site, username: str, landing: str, start: str = "/file"):
    """A browser context of its own for this account: opens `start` (a link from a mail, say), signs in
    on the login page it is sent to, and waits for `landing`; returns its page."""
    context = browser.new_context(locale="fr-FR", viewport={"width": 1366, "height": 900})
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.goto(start if start.startswith("http") else f"{site.url}{start}")
    page.fill('input[name="username"]', username)
    page.fill('input[name="password"]', PASSWORDS[username])
    page.click('button[type="submit"]')
    page.wait_for_url(landing if landing.startswith("http") else f"{site.url}{landing}")
    return page
