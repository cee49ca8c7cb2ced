"""doctor, status, purge and export against real databases and processes."""
from __future__ import annotations

import csv
import io
import json
import re
from datetime import datetime, timezone

import pytest
from dateutil.relativedelta import relativedelta
from sqlalchemy import select

from pipeline.config import load_settings
from pipeline.errors import ConfigError, ExitCode
from pipeline.ops.export import ExportFilters, write_csv
from pipeline.ops.purge import parse_duration, purge
from pipeline.ops.status import queue_status
from pipeline.report import build_report
from pipeline.store.database import open_database
from pipeline.store.files import FileStore
from pipeline.store.schema import ItemFileRow, ItemRow
from tests.ops.conftest import closed_port, triage, write_config
from tests.ops.seed import DAY, seed

NOW = datetime(2026, 11, 24, 12, tzinfo=timezone.utc)


def test_doctor_all_good_exits_0(tmp_path, model_dir):
    config = write_config(tmp_path, model_dir, f"sqlite:///{tmp_path / 't.sqlite'}")
    result = triage("doctor", "-c", str(config), "--json")
    assert result.returncode == 0, result.stdout + result.stderr
    checks = json.loads(result.stdout)
    assert {c["state"] for c in checks} <= {"ok", "warn"}
    assert {"base de données", "tesseract et poppler", "modèle spaCy", "modèle de classement",
            "dossier eml"} <= {c["name"] for c in checks}


def test_doctor_says_what_is_wrong_and_how_to_fix_it(tmp_path, model_dir):
    folders = f'[[folders]]\nname = "scanner"\npath = "{tmp_path / "absent"}"'
    config = write_config(tmp_path, tmp_path / "vide", f"postgresql+psycopg://postgres@127.0.0.1:{closed_port()}/x",
                          folders=folders)
    result = triage("doctor", "-c", str(config))
    assert result.returncode == ExitCode.DATABASE  # the first failure, as `triage run` would exit
    out = result.stdout
    assert "ÉCHEC     base de données" in out and "injoignable" in out
    assert "ÉCHEC     modèle de classement" in out and "triage train" in out
    assert "ÉCHEC     dossier scanner" in out and f"mkdir -p {tmp_path / 'absent'}" in out
    assert "OK        tesseract et poppler" in out


def test_status_counts_the_queue(tmp_path, model_dir, database_url):
    config = write_config(tmp_path, model_dir, database_url)
    database = open_database(database_url)
    seed(database)
    status = queue_status(load_settings(config), database, today=DAY.replace(day=24))
    assert status.by_status == {"confirmed": 1, "corrected": 1, "handled": 1, "routed": 6, "to_review": 4}
    assert status.last_run["status"] == "partial" and status.last_run["exit_code"] == 3
    assert status.oldest_waiting["chrono"] == "A-2026-000080" and status.oldest_waiting["days"] == 21
    assert status.overdue == 2 and status.overdue_oldest["chrono"] == "A-2026-000080"
    assert status.quarantine_open == 2
    result = triage("status", "-c", str(config), "--json")
    assert result.returncode == 0 and json.loads(result.stdout)["by_status"]["to_review"] == 4


def test_purge_removes_personal_data_and_originals_but_keeps_statistics(tmp_path, model_dir, database_url):
    settings = load_settings(write_config(tmp_path, model_dir, database_url))
    files = FileStore(settings.file_store_dir)
    sessions = open_database(database_url)
    seed(sessions, files)
    before = build_report(settings, sessions, DAY.replace(day=13), out=tmp_path / "a.html").data
    with sessions() as session:
        digests = {r.chrono: r.sha256 for r in session.execute(select(ItemRow)).scalars()}
    dry = purge(settings, sessions, "10d", dry_run=True, now=NOW)
    assert (dry.items, dry.files_removed) == (2, 2)  # 090 (routed) and 070 (handled); 080 waits for a clerk
    assert all(files.exists(d) for d in digests.values())
    done = purge(settings, sessions, "10d", now=NOW)
    assert (done.items, done.files_removed) == (2, 2)
    with sessions() as session:
        rows = {r.chrono: r for r in session.execute(select(ItemRow)).scalars()}
        purged = rows["A-2026-000090"]
        assert (purged.sender, purged.sender_email, purged.subject, purged.text, purged.filename) == ("",) * 5
        assert purged.purged_at is not None and purged.competence == "urbanisme" and purged.commune == "25056"
        assert session.execute(select(ItemFileRow.text).where(ItemFileRow.item_id == purged.id)).scalars().all() == [""]
        assert rows["A-2026-000080"].sender == "Expéditeur 080"  # still to review: kept
    assert not files.exists(digests["A-2026-000090"]) and not files.exists(digests["A-2026-000070"])
    assert files.exists(digests["A-2026-000080"])
    after = build_report(settings, sessions, DAY.replace(day=13), out=tmp_path / "b.html").data
    assert after.received == before.received == 1 and after.by_competence == before.by_competence
    assert purge(settings, sessions, "10d", now=NOW).items == 0


def test_purge_cli_dry_run_and_bad_duration(tmp_path, model_dir):
    config = write_config(tmp_path, model_dir, f"sqlite:///{tmp_path / 't.sqlite'}")
    seed(open_database(f"sqlite:///{tmp_path / 't.sqlite'}"))
    result = triage("purge", "-c", str(config), "--older-than", "2y", "--dry-run")
    assert result.returncode == 0 and "seraient purgés : 0" in result.stdout
    assert triage("purge", "-c", str(config), "--older-than", "bientôt").returncode == ExitCode.CONFIG
    assert parse_duration("18 mois") == relativedelta(months=18) and parse_duration("2y") == relativedelta(years=2)
    assert parse_duration("6 semaines") == relativedelta(weeks=6) and parse_duration("90j") == relativedelta(days=90)
    with pytest.raises(ConfigError):
        parse_duration("0d")


def test_export_filters_and_neutralises_formulas(tmp_path, model_dir):
    settings = load_settings(write_config(tmp_path, model_dir, f"sqlite:///{tmp_path / 't.sqlite'}"))
    sessions = open_database(settings.database_url)
    seed(sessions)
    with sessions() as session:
        row = session.execute(select(ItemRow).where(ItemRow.chrono == "A-2026-000103")).scalar_one()
        row.subject = '=HYPERLINK("http://evil.example","cliquez")'
        session.commit()
    buffer = io.StringIO()
    count = write_csv(settings, sessions, ExportFilters(competence="dechets", since=DAY, until=DAY), buffer)
    rows = list(csv.reader(io.StringIO(buffer.getvalue()), delimiter=";"))
    assert count == 2 and [r[0] for r in rows[1:]] == ["A-2026-000103", "A-2026-000107"]
    assert rows[0][:3] == ["N° chrono", "Reçu le", "Canal"]
    assert rows[1][5].startswith("'=HYPERLINK") and rows[1][8] == "Besançon"
    buffer = io.StringIO()
    assert write_csv(settings, sessions, ExportFilters(status=["to_review"], commune="Thise"), buffer) == 1


def test_export_cli_writes_an_excel_friendly_file(tmp_path, model_dir):
    config = write_config(tmp_path, model_dir, f"sqlite:///{tmp_path / 't.sqlite'}")
    seed(open_database(f"sqlite:///{tmp_path / 't.sqlite'}"))
    out = tmp_path / "export.csv"
    result = triage("export", "-c", str(config), "--urgent", "--out", str(out))
    assert result.returncode == 0 and "1 courrier(s) exporté(s)" in result.stderr
    data = out.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf") and b"A-2026-000104;23/11/2026 11:15;Courrier papier" in data


def test_export_neutralises_formulas_after_a_comma_or_semicolon_inside_a_cell(tmp_path, model_dir):
    settings = load_settings(write_config(tmp_path, model_dir, f"sqlite:///{tmp_path / 't.sqlite'}"))
    database = open_database(settings.database_url)
    seed(database)
    hostile = {"A-2026-000103": ("Objet, =HYPERLINK(\"http://evil.example\")", "Dupont; +33 1 23"),
               "A-2026-000107": ("a,@SUM(A1)", "b,\t=1;\r-2")}
    with database() as session:
        for row in session.execute(select(ItemRow).where(ItemRow.chrono.in_(hostile))).scalars():
            row.subject, row.sender = hostile[row.chrono]
        session.commit()
    buffer = io.StringIO()
    write_csv(settings, database, ExportFilters(competence="dechets"), buffer)
    cells = [cell for row in csv.reader(io.StringIO(buffer.getvalue()), delimiter=";") for cell in row]
    for cell in cells:
        for piece in re.split(r"[,;]", cell):
            assert not piece.lstrip(" ").startswith(("=", "+", "-", "@", "\t", "\r")), cell
    assert "Objet, '=HYPERLINK(\"http://evil.example\")" in cells and "Dupont; '+33 1 23" in cells
