"""`triage mailboxes check`: connection, TLS, login, folders and new messages, said in French, nothing changed."""
from __future__ import annotations

import json

from typer.testing import CliRunner

from cli import app
from pipeline.errors import ExitCode
from tests.imap.conftest import flags_by_uid, letter, mailbox_toml_section
from tests.ops.conftest import closed_port, write_config


def check(config, *args) -> tuple[int, str]:
    result = CliRunner().invoke(app, ["mailboxes", "check", "-c", str(config), *args], env={"COLUMNS": "200"})
    return result.exit_code, result.output


def test_check_of_a_working_mailbox_counts_new_messages_and_changes_nothing(dovecot, tmp_path, model_dir):
    for n in range(3):
        dovecot.append("INBOX", letter(n))
    config = write_config(tmp_path, model_dir, f"sqlite:///{tmp_path / 'triage.sqlite'}",
                          extra=mailbox_toml_section(dovecot, after_store="move"))
    code, output = check(config)
    assert code == ExitCode.OK, output
    assert "Boîte courrier" in output and "prête" in output
    assert "certificat vérifié" in output and "connecté en tant que courrier" in output
    assert "INBOX : 3 message(s), 3 nouveau(x) (jamais lu)" in output
    assert "Traité" in output and "sera créé" in output
    assert all(f == set() for f in flags_by_uid(dovecot).values())
    assert not (tmp_path / "triage.sqlite").exists()

    code, output = check(config, "--json")
    report = json.loads(output)
    assert code == 0 and report[0]["ok"] and report[0]["name"] == "courrier"


def test_check_says_what_is_wrong_for_each_mailbox(dovecot, tmp_path, model_dir, monkeypatch):
    monkeypatch.setenv("WRONG_PASSWORD", "nope")
    sections = (mailbox_toml_section(dovecot, name="mauvais-mdp", password_env="WRONG_PASSWORD")
                + mailbox_toml_section(dovecot, name="sans-ca", ca_file=None)
                + mailbox_toml_section(dovecot, name="ferme", port=closed_port())
                + mailbox_toml_section(dovecot, name="sans-variable", password_env="TRIAGE_TEST_UNSET")
                + mailbox_toml_section(dovecot, name="dossier-absent", folders=["INBOX", "Archives2019"]))
    config = write_config(tmp_path, model_dir, f"sqlite:///{tmp_path / 'triage.sqlite'}", extra=sections)
    code, output = check(config)
    assert code == ExitCode.SOURCE_FAILED
    blocks = {block.split(" ", 1)[0]: block for block in output.split("Boîte ")[1:]}
    assert "identification refusée pour courrier" in blocks["mauvais-mdp"]
    assert "certificat du serveur" in blocks["sans-ca"] and "ca_file" in blocks["sans-ca"]
    assert "connexion refusée" in blocks["ferme"]
    assert "TRIAGE_TEST_UNSET n'est pas définie" in blocks["sans-variable"]
    assert "dossier Archives2019 : introuvable" in blocks["dossier-absent"]
    assert "INBOX" in blocks["dossier-absent"] and "ÉCHEC" in blocks["dossier-absent"]


def _doctor_mailbox_checks(config) -> dict:
    from pipeline.ops.doctor import run_doctor
    return {c.name: c for c in run_doctor(config) if c.name.startswith("boîte ")}


def test_doctor_logs_in_and_says_a_wrong_password_is_wrong(dovecot, tmp_path, model_dir, monkeypatch):
    monkeypatch.setenv("WRONG_PASSWORD", "nope")
    sections = (mailbox_toml_section(dovecot, name="bon")
                + mailbox_toml_section(dovecot, name="mauvais-mdp", password_env="WRONG_PASSWORD"))
    config = write_config(tmp_path, model_dir, f"sqlite:///{tmp_path / 'triage.sqlite'}", extra=sections)
    checks = _doctor_mailbox_checks(config)
    assert checks["boîte bon"].state == "ok", checks["boîte bon"]
    assert "identification réussie" in checks["boîte bon"].detail
    wrong = checks["boîte mauvais-mdp"]
    assert wrong.failed and wrong.code == ExitCode.SOURCE_FAILED
    assert "identification refusée pour courrier" in wrong.detail and "mot de passe" in wrong.fix


def test_tls_insecure_connects_to_an_unknown_certificate_but_is_reported_every_time(dovecot, tmp_path, model_dir,
                                                                                   imap_run, caplog):
    from tests.imap.conftest import mailbox_spec
    section = mailbox_toml_section(dovecot, name="test", ca_file=None) + "tls_insecure = true\n"
    config = write_config(tmp_path, model_dir, f"sqlite:///{tmp_path / 'triage.sqlite'}", extra=section)
    from pipeline.ops.doctor import run_doctor
    checks = [c for c in run_doctor(config) if c.name == "boîte test"]
    assert [c.state for c in checks] == ["warn", "ok"], checks
    assert "NON vérifié (tls_insecure = true)" in checks[0].detail and "identification réussie" in checks[1].detail

    dovecot.append("INBOX", letter(0))
    spec = mailbox_spec(dovecot, ca_file=None, tls_insecure=True)
    with caplog.at_level("WARNING", logger="triage.imap"):
        summary = imap_run.run(spec)
    assert summary.sources[0].counts["stored"] == 1
    assert any("certificat de" in r.getMessage() and "NON vérifié" in r.getMessage() for r in caplog.records)
