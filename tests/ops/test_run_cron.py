"""`triage run` under cron: one run at a time, nothing lost when it cannot go on, documented exit codes."""
from __future__ import annotations

import json
import os

import pytest
import typer
from sqlalchemy import func, select
from typer.testing import CliRunner

from pipeline.config import load_settings
from pipeline.errors import ExitCode
from pipeline.store.run_lock import run_lock
from pipeline.store.database import open_database
from pipeline.store.schema import ItemRow, ItemSourceRow, RunRow
from tests.ops.conftest import closed_port, drop_emails, start, triage, write_config


def count(url: str, model) -> int:
    with open_database(url)() as session:
        return session.execute(select(func.count()).select_from(model)).scalar_one()


def test_two_runs_started_together_one_exits_already_running_and_nothing_is_processed_twice(
        tmp_path, model_dir, database_url):
    config = write_config(tmp_path, model_dir, database_url)
    drop_emails(tmp_path / "inbox", 6)
    first, second = start("run", "-c", str(config), "--oneline"), start("run", "-c", str(config), "--oneline")
    results = [(p.wait(timeout=180), *p.communicate()) for p in (first, second)]
    codes = sorted(code for code, _, _ in results)
    assert codes == [ExitCode.OK, ExitCode.ALREADY_RUNNING], results
    refused = next(r for r in results if r[0] == ExitCode.ALREADY_RUNNING)
    assert "déjà en cours" in refused[2] and refused[1] == ""
    done = next(r for r in results if r[0] == ExitCode.OK)
    assert "6 enregistrés" in done[1] and "code 0" in done[1]
    assert count(database_url, ItemRow) == 6 and count(database_url, ItemSourceRow) == 6
    assert count(database_url, RunRow) == 1  # the refused run left no trace in the database
    assert not list((tmp_path / "inbox").glob("*.eml"))


def test_run_while_lock_is_held_exits_5_and_touches_nothing(tmp_path, model_dir):
    config = write_config(tmp_path, model_dir, f"sqlite:///{tmp_path / 'triage.sqlite'}")
    files = drop_emails(tmp_path / "inbox", 2)
    with run_lock(load_settings(config)):
        result = triage("run", "-c", str(config))
    assert result.returncode == ExitCode.ALREADY_RUNNING, result.stderr
    assert f"pid {os.getpid()}" in result.stderr  # says who holds the lock
    assert all(path.exists() for path in files)


def test_database_unreachable_exits_12_and_source_files_stay(tmp_path, model_dir):
    url = f"postgresql+psycopg://postgres@127.0.0.1:{closed_port()}/triage"
    config = write_config(tmp_path, model_dir, url)
    files = drop_emails(tmp_path / "inbox", 3)
    result = triage("run", "-c", str(config), "--oneline")
    assert result.returncode == ExitCode.DATABASE, result.stderr
    assert "injoignable" in result.stderr
    assert all(path.read_bytes() for path in files)
    assert not (tmp_path / "inbox" / "done").exists() and not (tmp_path / "inbox" / "quarantine").exists()


def test_clean_run_exits_0_with_one_line_and_json_logs_to_a_file(tmp_path, model_dir):
    config = write_config(tmp_path, model_dir, f"sqlite:///{tmp_path / 'triage.sqlite'}")
    drop_emails(tmp_path / "inbox", 1)
    log = tmp_path / "log" / "run.jsonl"
    result = triage("run", "-c", str(config), "--oneline", "-v", "--log-format", "json", "--log-file", str(log))
    assert result.returncode == ExitCode.OK, result.stderr
    lines = result.stdout.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("triage run n°1 : code 0 (tout va bien) ; 1 lus, 1 enregistrés")
    entries = [json.loads(line) for line in log.read_text().splitlines()]
    stored = [e for e in entries if e["logger"] == "triage.batch"]
    assert stored and stored[0]["item"].startswith("A-") and stored[0]["level"] == "INFO"


def test_corrupt_file_is_quarantined_and_run_exits_3(tmp_path, model_dir):
    config = write_config(tmp_path, model_dir, f"sqlite:///{tmp_path / 'triage.sqlite'}")
    drop_emails(tmp_path / "inbox", 1)
    (tmp_path / "inbox" / "vide.pdf").write_bytes(b"")
    result = triage("run", "-c", str(config), "--oneline")
    assert result.returncode == ExitCode.ITEMS_QUARANTINED, result.stderr
    assert "1 enregistrés" in result.stdout and "1 en quarantaine" in result.stdout
    assert list((tmp_path / "inbox" / "quarantine").rglob("vide.pdf"))


def test_missing_source_folder_exits_4(tmp_path, model_dir):
    folders = f'[[folders]]\nname = "absent"\npath = "{tmp_path / "nulle-part"}"'
    config = write_config(tmp_path, model_dir, f"sqlite:///{tmp_path / 'triage.sqlite'}", folders=folders)
    result = triage("run", "-c", str(config), "--oneline")
    assert result.returncode == ExitCode.SOURCE_FAILED, result.stderr
    assert "sources en échec : absent" in result.stdout


@pytest.mark.parametrize("mistake, message", [("[classifier]\nreview_threshold = \"haut\"", "configuration invalide"),
                                              ("database_url = ", "configuration illisible")])
def test_invalid_configuration_exits_10(tmp_path, model_dir, mistake, message):
    config = write_config(tmp_path, model_dir, f"sqlite:///{tmp_path / 'triage.sqlite'}")
    config.write_text(mistake + "\n" + config.read_text().replace("[classifier]", "[ignored]"))
    result = triage("run", "-c", str(config))
    assert result.returncode == ExitCode.CONFIG, result.stderr
    assert message in result.stderr


def test_missing_tesseract_exits_11_before_reading_anything(tmp_path, model_dir):
    config = write_config(tmp_path, model_dir, f"sqlite:///{tmp_path / 'triage.sqlite'}")
    files = drop_emails(tmp_path / "inbox", 1)
    empty = tmp_path / "bin"
    empty.mkdir()
    result = triage("run", "-c", str(config), env={"PATH": str(empty)})
    assert result.returncode == ExitCode.MISSING_PROGRAM, result.stderr
    assert "apt-get install" in result.stderr
    assert files[0].exists()


def test_no_active_model_exits_13(tmp_path, model_dir):
    config = write_config(tmp_path, tmp_path / "sans-modele", f"sqlite:///{tmp_path / 'triage.sqlite'}")
    files = drop_emails(tmp_path / "inbox", 1)
    result = triage("run", "-c", str(config))
    assert result.returncode == ExitCode.MODEL, result.stderr
    assert "triage train" in result.stderr and files[0].exists()


def test_bad_command_line_exits_2(tmp_path):
    assert triage("run", "--pas-une-option").returncode == ExitCode.USAGE


def test_unexpected_exception_exits_70_with_the_traceback_in_the_log():
    from cli import command
    app = typer.Typer()

    @app.command()
    @command
    def broken():
        raise RuntimeError("bogue")

    result = CliRunner().invoke(app, [])
    assert result.exit_code == ExitCode.INTERNAL
    assert "Erreur interne" in result.output and "bogue" in result.output
