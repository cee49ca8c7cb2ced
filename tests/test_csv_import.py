"""Importing labelled mail from CSV: what spreadsheets and mail registers really write."""
import csv
import subprocess
import sys
from pathlib import Path

import pytest

from pipeline import learning
from pipeline.classify.dataset import read_csv
from pipeline.errors import ConfigError
from pipeline.store.database import open_database
from tests.conftest import make_settings

CODES = {"dechets", "eau_assainissement", "voirie"}
HARD_TEXT = ('Objet : "bac jaune", encore\r\nMadame, Monsieur,\nle bac n\'a pas été vidé ; '
             'voir « photo », merci.\n\n— Gérard Faivre')


def test_standard_quoted_csv_keeps_commas_quotes_and_line_breaks(tmp_path):
    path = tmp_path / "gec.csv"
    with path.open("w", newline="", encoding="utf-8") as handle:  # csv's default dialect: RFC 4180, CRLF
        writer = csv.writer(handle, quoting=csv.QUOTE_ALL)
        writer.writerow(["text", "competence", "commune", "received_at"])
        writer.writerow([HARD_TEXT, "dechets", "25056", "2025-03-02"])
        writer.writerow(["Nid-de-poule, rue de Vesoul", "voirie", "", ""])

    examples = read_csv(path, CODES)

    assert [e.text for e in examples] == [HARD_TEXT, "Nid-de-poule, rue de Vesoul"]
    assert [e.competence for e in examples] == ["dechets", "voirie"]
    assert examples[0].commune == "25056" and examples[0].received_at.year == 2025
    assert examples[1].commune is None and examples[1].received_at is None


@pytest.mark.parametrize("encoding", ["utf-8-sig", "cp1252"])
def test_french_semicolon_spreadsheet_with_bom_or_windows_1252(tmp_path, encoding):
    path = tmp_path / "export-excel.csv"
    with path.open("w", newline="", encoding=encoding) as handle:
        writer = csv.writer(handle, delimiter=";")
        writer.writerow(["Texte", "Compétence", "Commune", "Reçu le"])
        writer.writerow(["Fuite d'eau à Besançon; 3 rue de Belfort, « urgent »", "eau_assainissement", "25056",
                         "14/03/2025"])

    [example] = read_csv(path, CODES)

    assert example.text == "Fuite d'eau à Besançon; 3 rue de Belfort, « urgent »"
    assert example.competence == "eau_assainissement" and example.received_at.month == 3


@pytest.mark.parametrize("content, line, words", [
    ('text,competence\n"ok",dechets\n"une "citation" mal close",dechets\n', 3, "guillemet fermant"),
    ('text;competence\nok;dechets\n"jamais\nrefermé;voirie\nfin;voirie\n', 3, "jamais refermé"),
    ('text,competence\nok,dechets\n\nbac, pas vidé,dechets\n', 4, "3 champs au lieu de 2"),
    ('text,competence\nok,dechets\n"multi\nligne",voirie\nautre,inconnue\n', 5, "inconnu"),
    ('text,competence,received_at\nok,dechets,hier\n', 2, "date de réception illisible"),
    ('message,service\nok,dechets\n', 1, "colonnes « text » et « competence »"),
])
def test_malformed_csv_names_the_line_in_french(tmp_path, content, line, words):
    path = tmp_path / "mauvais.csv"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(ConfigError) as raised:
        read_csv(path, CODES)
    assert f"ligne {line} :" in str(raised.value) and words in str(raised.value)


def test_a_bad_line_stores_nothing_and_the_command_says_where(tmp_path, model_dir, database_url):
    settings = make_settings(tmp_path, model_dir, database_url)
    database = open_database(settings.database_url)
    path = tmp_path / "historique.csv"
    path.write_text('text,competence\n"Bac, jaune",dechets\n"Fuite "ici",eau_assainissement\n', encoding="utf-8")
    with pytest.raises(ConfigError):
        learning.import_labelled(path, settings, database)
    assert learning.gather(settings, database) == learning.gather(settings, None)  # nothing imported

    config = tmp_path / "triage.toml"
    config.write_text(f'database_url = "{settings.database_url}"\ndata_dir = "{tmp_path / "var"}"\n'
                      f'[classifier]\nmodel_dir = "{model_dir}"\n', encoding="utf-8")
    done = subprocess.run([str(Path(sys.executable).parent / "triage"), "train", "--config", str(config),
                           "--import", str(path)], capture_output=True, text=True, timeout=300)
    assert done.returncode == 10, done.stderr
    assert "ligne 3" in done.stderr and "Traceback" not in done.stderr


def test_an_archive_of_many_rows_is_stored_once(tmp_path, model_dir, database_url):
    settings = make_settings(tmp_path, model_dir, database_url)
    database = open_database(settings.database_url)
    path = tmp_path / "gros.csv"
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["text", "competence"])
        for number in range(2500):
            writer.writerow([f"Demande n° {number}, \"bac\"\nà vider", "dechets"])
        writer.writerow(["Demande n° 7, \"bac\"\nà vider", "dechets"])  # the same text twice in one file
    assert learning.import_labelled(path, settings, database) == (2500, 1)
    assert learning.import_labelled(path, settings, database) == (0, 2501)
