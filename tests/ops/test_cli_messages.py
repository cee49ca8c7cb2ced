"""What the CLI says is French, names what to do, and prints bracketed words as written."""
from __future__ import annotations

import json

from tests.ops.conftest import triage, write_config


def test_a_missing_argument_is_said_in_french_with_the_help_to_run():
    result = triage("letters", "mark-sent")
    assert result.returncode == 2
    assert "il manque l'argument IDS (Numéros des lettres postées)" in result.stderr
    assert "Aide : triage letters mark-sent --help" in result.stderr
    assert "Missing" not in result.stderr and "╭" not in result.stderr


def test_a_wrong_value_or_option_is_said_in_french():
    integer = triage("letters", "mark-sent", "abc")
    assert integer.returncode == 2 and "valeur invalide pour IDS : attendu : un nombre entier" in integer.stderr
    assert "pydantic" not in integer.stderr and "Input should" not in integer.stderr
    day = triage("report", "--date", "hier")
    assert day.returncode == 2 and "attendu : une date AAAA-MM-JJ ou JJ/MM/AAAA" in day.stderr
    option = triage("status", "--jsn")
    assert option.returncode == 2 and "option inconnue : --jsn (vouliez-vous dire --json ?)" in option.stderr


def test_unknown_config_key_gets_a_suggestion(tmp_path):
    config = tmp_path / "triage.toml"
    config.write_text('databse_url = "sqlite:///x.db"\n', encoding="utf-8")
    result = triage("status", "--config", str(config))
    assert result.returncode == 10
    assert "clé inconnue « databse_url »" in result.stderr and "vouliez-vous dire « database_url » ?" in result.stderr


def test_bracketed_words_are_printed_as_written(tmp_path, model_dir):
    config = write_config(tmp_path, model_dir, f"sqlite:///{tmp_path / 't.sqlite'}")
    assert triage("migrate", "--config", str(config)).returncode == 0
    result = triage("report", "--email", "--config", str(config))
    assert result.returncode == 10
    assert "renseignez [report] recipients" in result.stderr


def test_models_show_is_readable_and_json_on_request(tmp_path, model_dir):
    config = write_config(tmp_path, model_dir, f"sqlite:///{tmp_path / 't.sqlite'}")
    shown = triage("models", "show", "--config", str(config))
    assert shown.returncode == 0, shown.stderr
    lines = shown.stdout.splitlines()
    assert len(lines) < 60 and "Exactitude" in shown.stdout and "Déchets" in shown.stdout
    assert "Confusions les plus fréquentes" in shown.stdout
    raw = triage("models", "show", "--json", "--config", str(config))
    assert "evaluation" in json.loads(raw.stdout)


def test_letters_list_has_a_header(tmp_path, model_dir):
    from pipeline.store.database import open_database
    from tests.web.standup_seed import seed
    url = f"sqlite:///{tmp_path / 't.sqlite'}"
    config = write_config(tmp_path, model_dir, url)
    assert triage("migrate", "--config", str(config)).returncode == 0
    seed(open_database(url))
    listed = triage("letters", "list", "--config", str(config))
    assert listed.returncode == 0, listed.stderr
    header, first = listed.stdout.splitlines()[:2]
    assert header.split()[:3] == ["N°", "Courrier", "Lettre"] and "A-2026-000502" in first
