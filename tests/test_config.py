"""Strict configuration: every unknown key, wrong value or unsafe TLS setting is a French ConfigError (exit 10)."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from pipeline.config import SmtpSettings, load_settings
from pipeline.errors import ConfigError, ExitCode
from pipeline.smtp import check_configured
from tests.conftest import ROOT

MAILBOX = '[[mailboxes]]\nname = "courrier"\nhost = "imap.example.org"\nuser = "u"\npassword = { env = "P" }\n'


def _load(tmp_path, text: str):
    path = tmp_path / "triage.toml"
    path.write_text(text, encoding="utf-8")
    return load_settings(path)


@pytest.mark.parametrize("text, expected", [
    ("[ocr]\nwokers = 2\n", "clé inconnue « wokers » dans [ocr] : vouliez-vous dire « workers » ?"),
    ("databse_url = 'sqlite://'\n", "clé inconnue « databse_url » dans le haut du fichier : vouliez-vous dire « database_url » ?"),
    ("[limits]\nmax_mime_dept = 3\n", "« max_mime_dept » dans [limits] : vouliez-vous dire « max_mime_depth »"),
    ("[[folders]]\npath = 'x'\ndone_dri = 'y'\n", "« done_dri » dans [[folders]] n° 1 : vouliez-vous dire « done_dir »"),
    (MAILBOX + "batchsize = 3\n", "« batchsize » dans [[mailboxes]] n° 1 : vouliez-vous dire « batch_size »"),
    ("[smtp]\nsecurty = 'ssl'\n", "« securty » dans [smtp] : vouliez-vous dire « security »"),
    ("[web]\nprot = 80\n", "« prot » dans [web] : vouliez-vous dire « port »"),
    ("[report]\nrecipient = []\n", "« recipient » dans [report] : vouliez-vous dire « recipients »"),
    ("[letters]\norganization = 'x'\n", "« organization » dans [letters] : vouliez-vous dire « organisation »"),
    ("[logging]\nlevl = 'INFO'\n", "« levl » dans [logging] : vouliez-vous dire « level »"),
    ("[classifier]\nmodeldir = 'm'\n", "« modeldir » dans [classifier] : vouliez-vous dire « model_dir »"),
    ("[web]\nsecret_key = { env = 'S', value = 'x' }\n", "clé inconnue « value » dans [web.secret_key]"),
])
def test_unknown_key_in_any_section_is_a_french_error_with_a_suggestion(tmp_path, text, expected):
    with pytest.raises(ConfigError, match=expected.replace("[", r"\[").replace("]", r"\]")) as raised:
        _load(tmp_path, text)
    assert raised.value.exit_code == ExitCode.CONFIG


def test_unknown_key_given_by_environment_is_refused_too(tmp_path, monkeypatch):
    monkeypatch.setenv("TRIAGE_OCR__WOKERS", "3")
    with pytest.raises(ConfigError, match="« wokers » dans \\[ocr\\]"):
        _load(tmp_path, "")


@pytest.mark.parametrize("text, expected", [
    ("[ocr]\nworkers = 'beaucoup'\n", "valeur invalide pour « workers » dans [ocr] : attendu un nombre entier"),
    ("[limits]\nmax_mime_depth = 0\n", "« max_mime_depth » dans [limits] : attendu un nombre supérieur à 0"),
    (MAILBOX + "tls = 'ssl'\n", "« tls » dans [[mailboxes]] n° 1 : attendu l'une des valeurs \"implicit\""),
    ("[[folders]]\nname = 'x'\n", "clé obligatoire « path » absente de [[folders]] n° 1"),
])
def test_wrong_values_are_said_in_french(tmp_path, text, expected):
    with pytest.raises(ConfigError) as raised:
        _load(tmp_path, text)
    assert expected in str(raised.value) and "validation error" not in str(raised.value)


def test_old_verify_certificate_key_points_to_the_loud_option(tmp_path):
    with pytest.raises(ConfigError, match="« verify_certificate ».*tls_insecure = true"):
        _load(tmp_path, MAILBOX + "verify_certificate = false\n")


def test_tls_insecure_is_an_explicit_opt_in(tmp_path):
    assert _load(tmp_path, MAILBOX).mailboxes[0].tls_insecure is False
    assert _load(tmp_path, MAILBOX + "tls_insecure = true\n").mailboxes[0].tls_insecure is True


def test_smtp_without_encryption_to_a_remote_host_with_a_password_is_refused(tmp_path):
    with pytest.raises(ConfigError, match="mot de passe passerait en clair"):
        _load(tmp_path, "[smtp]\nhost = 'smtp.example.org'\nsecurity = 'none'\nusername = 'u'\n"
                        "password = { env = 'SMTP_PASSWORD' }\n")
    relay = _load(tmp_path, "[smtp]\nhost = '127.0.0.1'\nport = 25\nsecurity = 'none'\nusername = 'u'\n")
    assert relay.smtp.security == "none"  # a relay on this machine: nothing crosses the network
    anonymous = _load(tmp_path, "[smtp]\nhost = 'smtp.example.org'\nsecurity = 'none'\n")
    assert anonymous.smtp.username == ""


def test_smtp_settings_changed_after_loading_are_checked_before_sending():
    smtp = SmtpSettings(host="127.0.0.1", security="none", username="u")
    smtp.host = "smtp.example.org"  # e.g. by code that builds settings by hand
    with pytest.raises(ConfigError, match="en clair"):
        check_configured(smtp)


def test_doctor_reports_the_same_french_error_and_exits_10(tmp_path):
    path = tmp_path / "triage.toml"
    path.write_text("[ocr]\nwokers = 2\n", encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run([str(Path(sys.executable).parent / "triage"), "doctor", "--config", str(path)],
                          capture_output=True, text=True, env=env, cwd=ROOT, timeout=120)
    assert done.returncode == ExitCode.CONFIG
    assert "clé inconnue « wokers » dans [ocr] : vouliez-vous dire « workers » ?" in done.stdout + done.stderr
