"""Fixtures for the operations tests: a TOML config for real `triage` processes, a seeded database,
a local SMTP server (aiosmtpd) on loopback, and a helper to run the command."""
from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
from email import message_from_bytes, policy
from pathlib import Path

import pytest

from tests.conftest import ROOT

TRIAGE = str(Path(sys.executable).parent / "triage")
SAMPLE_EML = """From: Jeanne Martin <jeanne{n}@example.org>
To: courrier@grandbesancon.fr
Subject: Fuite d'eau au compteur n{n}
Date: Mon, 23 Nov 2026 09:1{n}:00 +0100
Message-ID: <fuite{n}@example.org>
Content-Type: text/plain; charset=utf-8

Bonjour,
Une fuite d'eau importante coule sur le compteur devant le 12 rue des Vignes, 25220 Thise.
Merci d'intervenir rapidement. Jeanne Martin
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def closed_port() -> int:
    """A loopback port where nothing listens."""
    return free_port()


def write_config(tmp_path: Path, model_dir: Path, database_url: str, extra: str = "", folders: str | None = None) -> Path:
    inbox = tmp_path / "inbox"
    inbox.mkdir(exist_ok=True)
    text = f'''database_url = "{database_url}"
data_dir = "{tmp_path / 'var'}"
reference_dir = "{ROOT / 'data/reference'}"
routing_file = "{ROOT / 'config/routing.toml'}"
seed_dir = "{ROOT / 'data/seed'}"
{folders if folders is not None else f'[[folders]]{chr(10)}name = "eml"{chr(10)}path = "{inbox}"{chr(10)}channel = "email"{chr(10)}settle_seconds = 0'}

[classifier]
model_dir = "{model_dir}"

[ocr]
workers = 1

[letters]
templates_dir = "{ROOT / 'config/letters'}"
{extra}
'''
    path = tmp_path / "triage.toml"
    path.write_text(text, encoding="utf-8")
    return path


def drop_emails(inbox: Path, count: int) -> list[Path]:
    paths = []
    for n in range(count):
        path = inbox / f"fuite-{n}.eml"
        path.write_text(SAMPLE_EML.format(n=n), encoding="utf-8")
        paths.append(path)
    return paths


def triage(*args: str, env: dict | None = None, timeout: float = 120) -> subprocess.CompletedProcess:
    """Run the real `triage` command in a process of its own."""
    return subprocess.run([TRIAGE, *args], capture_output=True, text=True, timeout=timeout, cwd=ROOT,
                          env={**os.environ, "COLUMNS": "200", **(env or {})})


def _default_sigint() -> None:
    # A shell without job control starts background jobs with SIGINT ignored, and children inherit it
    # (CI started by `cmd &`): give the command a terminal's default, or Ctrl-C could not reach it.
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def start(*args: str) -> subprocess.Popen:
    return subprocess.Popen([TRIAGE, *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT,
                            env={**os.environ, "COLUMNS": "200"}, preexec_fn=_default_sigint)


class Inbox:
    """What the local SMTP server received."""

    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append((envelope.rcpt_tos, message_from_bytes(envelope.content, policy=policy.default)))
        return "250 Message accepted for delivery"


@pytest.fixture
def smtp_server():
    """A real SMTP server on loopback (aiosmtpd); yields (port, inbox)."""
    from aiosmtpd.controller import Controller
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    yield controller.port, inbox
    controller.stop()


def smtp_section(port: int, recipients: list[str] | None = None) -> str:
    return (f'[smtp]\nhost = "127.0.0.1"\nport = {port}\nsecurity = "none"\nsender = "triage@test.local"\n'
            f'[report]\nrecipients = {recipients or ["debrief@test.local"]!r}\n'.replace("'", '"'))
