"""The README's exit-code table is the code's, and each of its codes is what a real `triage` process
returns when provoked for real; no command ends in a Python traceback."""
from __future__ import annotations

import re
import signal
import time

from alembic import command as alembic

from pipeline.config import load_settings
from pipeline.errors import EXIT_MEANINGS, ExitCode
from pipeline.store.run_lock import run_lock
from pipeline.store.database import _alembic_config, open_database
from tests.conftest import ROOT
from tests.ops.conftest import drop_emails, start, triage, write_config
from tests.ops.seed import seed

TABLE_ROW = re.compile(r"^\| (\d+) \| (.+) \|$")


def readme_exit_codes() -> dict[int, str]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split("## Exit codes", 1)[1].split("\n#", 1)[0]
    return {int(m.group(1)): m.group(2) for line in section.splitlines() if (m := TABLE_ROW.match(line))}


def test_readme_exit_code_table_lists_exactly_the_codes_of_the_code():
    documented = readme_exit_codes()
    assert set(documented) == {int(code) for code in ExitCode} == {int(code) for code in EXIT_MEANINGS}
    assert "interrupted" in documented[ExitCode.INTERRUPTED] and "bug" in documented[ExitCode.INTERNAL]


def assert_french_without_traceback(result, *words: str) -> None:
    assert "Traceback" not in result.stderr + result.stdout, result.stderr
    assert "Erreur" in result.stderr and all(word in result.stderr for word in words), result.stderr


def test_models_commands_on_unknown_versions_exit_2_in_french(tmp_path, model_dir):
    config = write_config(tmp_path, model_dir, f"sqlite:///{tmp_path / 't.sqlite'}")
    for args, words in ((("models", "show", "999"), ("version de modèle inconnue : 999",)),
                        (("models", "promote", "nope"), ("version de modèle inconnue : nope",))):
        result = triage(*args, "-c", str(config))
        assert result.returncode == ExitCode.USAGE, result.stderr
        assert_french_without_traceback(result, *words)
    empty = write_config(tmp_path, tmp_path / "aucun-modele", f"sqlite:///{tmp_path / 't.sqlite'}")
    result = triage("models", "rollback", "-c", str(empty))
    assert result.returncode == ExitCode.USAGE
    assert_french_without_traceback(result, "aucune version précédente")


def test_letters_mark_sent_of_an_unknown_letter_exits_2_and_records_nothing(tmp_path, model_dir):
    config = write_config(tmp_path, model_dir, f"sqlite:///{tmp_path / 't.sqlite'}")
    seed(open_database(load_settings(config).database_url))
    result = triage("letters", "mark-sent", "9999", "-c", str(config))
    assert result.returncode == ExitCode.USAGE
    assert_french_without_traceback(result, "lettre(s) inconnue(s) : 9999")


def test_mysql_url_is_a_configuration_error_exit_10(tmp_path, model_dir):
    config = write_config(tmp_path, model_dir, "mysql://triage@127.0.0.1/triage")
    drop_emails(tmp_path / "inbox", 1)
    for args in (("status",), ("run", "--oneline"), ("migrate",)):
        result = triage(*args, "-c", str(config))
        assert result.returncode == ExitCode.CONFIG, (args, result.stderr)
        assert_french_without_traceback(result, "non prise en charge : mysql")
    assert (tmp_path / "inbox" / "fuite-0.eml").exists()  # nothing read


def test_read_only_commands_on_an_older_schema_exit_12_without_migrating_it(tmp_path, model_dir, database_url):
    config = write_config(tmp_path, model_dir, database_url)
    database = open_database(database_url, migrate=True)
    with database.engine.begin() as connection:
        alembic.downgrade(_alembic_config(connection), "0005_source_bytes")  # every newer one undone
    database.engine.dispose()
    versions = ROOT / "pipeline" / "store" / "migrations" / "versions"
    newer = sorted(p.stem for p in versions.glob("0*.py") if p.stem > "0005_source_bytes")
    for args in (("status",), ("export",), ("report", "--date", "2026-11-23"), ("letters", "list")):
        result = triage(*args, "-c", str(config))
        assert result.returncode == ExitCode.DATABASE, (args, result.stderr)
        assert_french_without_traceback(result, *newer, "triage migrate")
    assert open_database(database_url, migrate=False).missing_migrations == newer  # untouched
    migrated = triage("migrate", "-c", str(config))
    assert migrated.returncode == 0 and newer[-1] in migrated.stdout
    assert open_database(database_url, migrate=False).schema_current
    assert triage("status", "-c", str(config)).returncode == ExitCode.OK


def test_ctrl_c_exits_130_with_a_french_message(tmp_path, model_dir):
    config = write_config(tmp_path, model_dir, f"sqlite:///{tmp_path / 't.sqlite'}")
    files = drop_emails(tmp_path / "inbox", 2)
    with run_lock(load_settings(config)):  # the run waits for the lock: a quiet moment to press Ctrl-C
        process = start("run", "-c", str(config), "--wait", "120")
        time.sleep(8)
        process.send_signal(signal.SIGINT)
        stdout, stderr = process.communicate(timeout=60)
    assert process.returncode == ExitCode.INTERRUPTED, stderr
    assert "Interrompu (Ctrl-C)" in stderr and "Traceback" not in stderr + stdout
    assert all(path.exists() for path in files)  # nothing was read, nothing moved


def test_unexpected_error_in_a_real_process_exits_70_with_the_traceback_kept_off_the_terminal(tmp_path, model_dir):
    config = write_config(tmp_path, model_dir, f"sqlite:///{tmp_path / 't.sqlite'}")
    labelled = tmp_path / "jeu"
    labelled.mkdir()
    (labelled / "labels.jsonl").write_text('{"file": "a.eml", "competence": \n', encoding="utf-8")  # broken JSON
    result = triage("evaluate", str(labelled), "-c", str(config))
    assert result.returncode == ExitCode.INTERNAL, result.stderr
    assert "Erreur interne" in result.stderr and "Traceback" not in result.stderr
    [kept] = re.findall(r"Détails techniques pour les développeurs : (\S+)", result.stderr)
    assert "Traceback" in open(kept, encoding="utf-8").read()
