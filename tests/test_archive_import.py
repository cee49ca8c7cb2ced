"""`triage import`: an archive registered through the night's batch, killed for real and resumed."""
import os
import shutil
import signal
import subprocess
import sys
import time
from email.message import EmailMessage
from pathlib import Path

import pytest
from sqlalchemy import func, select

from pipeline.archive import read_labels
from pipeline.errors import ConfigError
from pipeline.store.database import open_database
from pipeline.store.schema import ArchiveFileRow, ItemRow, ItemSourceRow, QuarantineRow, RunRow, TrainingExampleRow
from tests.conftest import DATA, ROOT

TRIAGE = [sys.executable, str(ROOT / "cli.py")]
TOPICS = ["bac jaune non collecté", "fuite d'eau rue des Vergers", "nid-de-poule avenue de Chardonnet",
          "permis de construire", "ligne de bus Ginko en retard"]


def build_archive(root: Path) -> dict:
    """24 emails in two years' folders, a scan, a PDF, one file twice, a corrupt PDF, a hidden file."""
    for number in range(24):
        message = EmailMessage()
        message["From"] = f"Habitant {number} <habitant{number}@example.org>"
        message["To"] = "courrier@grandbesancon.fr"
        message["Subject"] = f"Réclamation {number} : {TOPICS[number % 5]}"
        message["Message-ID"] = f"<archive-{number}@example.org>"
        message.set_content(f"Bonjour,\nJe vous écris au sujet de : {TOPICS[number % 5]} (dossier {number}).\n"
                            "Merci de votre retour.\n25220 Thise\n")
        folder = root / ("2019" if number < 12 else "2020") / "courriels"
        folder.mkdir(parents=True, exist_ok=True)
        (folder / f"message-{number:02d}.eml").write_bytes(message.as_bytes())
    scans = root / "2020" / "scans"
    scans.mkdir(parents=True)
    for name in ("letter_scan.png", "text_layer.pdf", "corrupt.pdf"):
        shutil.copy2(DATA / name, scans / name)
    shutil.copy2(DATA / "letter_scan.png", scans / "letter_scan-copie.png")  # the same bytes twice
    (scans / ".DS_Store").write_bytes(b"hidden")
    labels = root / "etiquettes.csv"
    labels.write_text("fichier;competence;commune\n2019/courriels/message-00.eml;dechets;25560\n"
                      "2020/scans/letter_scan.png;dechets;25560\n\"2019/courriels/message-01.eml\";eau_assainissement;\n",
                      encoding="utf-8")
    return {"files": 28, "labels": labels}


def write_config(tmp_path: Path, database_url: str, model_dir: Path) -> Path:
    config = tmp_path / "triage.toml"
    config.write_text(f'database_url = "{database_url}"\ndata_dir = "{tmp_path / "var"}"\n'
                      f'reference_dir = "{ROOT / "data/reference"}"\nseed_dir = "{ROOT / "data/seed"}"\n'
                      f'routing_file = "{ROOT / "config/routing.toml"}"\nfolders = []\n'
                      f'[classifier]\nmodel_dir = "{model_dir}"\n[ocr]\nworkers = 2\n', encoding="utf-8")
    return config


def journal_count(sessions) -> int:
    with sessions() as session:
        return session.execute(select(func.count()).select_from(ArchiveFileRow)).scalar_one()


def test_an_archive_killed_mid_way_resumes_with_nothing_lost_and_nothing_twice(tmp_path, model_dir, database_url):
    root = tmp_path / "archive"
    archive = build_archive(root)
    config = write_config(tmp_path, database_url, model_dir)
    sessions = open_database(database_url)
    command = [*TRIAGE, "import", str(root), "--labels", str(archive["labels"]), "--config", str(config)]
    env = {**os.environ, "PYTHONPATH": str(ROOT), "OMP_THREAD_LIMIT": "1"}

    first = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                             start_new_session=True)
    deadline = time.monotonic() + 600
    while journal_count(sessions) < 3 and first.poll() is None and time.monotonic() < deadline:
        time.sleep(0.05)
    os.killpg(first.pid, signal.SIGKILL)  # the command and its OCR workers, without any chance to clean up
    first.wait()
    killed_at = journal_count(sessions)
    assert first.returncode == -signal.SIGKILL and 3 <= killed_at < archive["files"], killed_at

    second = subprocess.run(command, env=env, capture_output=True, text=True, timeout=900)
    assert second.returncode == 3, second.stderr  # the corrupt PDF is quarantined, the rest stored
    assert "déjà traité(s) lors d'un import précédent" in " ".join(second.stderr.split())
    assert "Traceback" not in second.stderr

    with sessions() as session:
        journal = session.execute(select(ArchiveFileRow.path, ArchiveFileRow.outcome, ArchiveFileRow.chrono)).all()
        items = session.execute(select(ItemRow.sha256, ItemRow.chrono)).all()
        sources = session.execute(select(ItemSourceRow.ref)).scalars().all()
        quarantined = session.execute(select(QuarantineRow.filename)).scalars().all()
        examples = session.execute(select(TrainingExampleRow.competence)).scalars().all()
        running = session.execute(select(func.count()).select_from(RunRow).where(RunRow.status == "running")).scalar()
    paths = [row.path for row in journal]
    assert len(paths) == len(set(paths)) == archive["files"]  # every file once, the hidden one never
    assert not any(".DS_Store" in p for p in paths)
    by_outcome = {o: sorted(r.path for r in journal if r.outcome == o) for o in ("stored", "duplicate", "quarantined")}
    assert by_outcome["quarantined"] == ["2020/scans/corrupt.pdf"] and quarantined == ["corrupt.pdf"]
    assert by_outcome["duplicate"] == ["2020/scans/letter_scan.png"] or \
        by_outcome["duplicate"] == ["2020/scans/letter_scan-copie.png"]
    assert len(items) == len({sha for sha, _ in items}) == archive["files"] - 2  # nothing twice
    assert len({chrono for _, chrono in items}) == len(items)
    assert sorted(sources) == sorted(p for p in paths if p != "2020/scans/corrupt.pdf")  # every file's source kept
    assert {r.chrono for r in journal if r.outcome == "stored"} == {chrono for _, chrono in items}
    assert sorted(examples) == ["dechets", "dechets", "eau_assainissement"]
    assert running == 0  # the killed run was closed by the next one

    third = subprocess.run(command, env=env, capture_output=True, text=True, timeout=600)
    assert third.returncode == 0, third.stderr
    assert "0 fichier(s) à traiter, 28 déjà traité(s)" in " ".join(third.stderr.split())
    with sessions() as session:
        assert session.execute(select(func.count()).select_from(ItemRow)).scalar_one() == len(items)
    assert journal_count(sessions) == archive["files"]


def test_labels_name_the_bad_line(tmp_path):
    codes = {"dechets", "voirie"}
    good = tmp_path / "labels.jsonl"
    good.write_text('{"file": "a/b.pdf", "competence": "voirie", "commune": "25056"}\n\n'
                    '{"file": "c.eml", "competence": "dechets"}\n', encoding="utf-8")
    assert read_labels(good, codes)["a/b.pdf"].commune == "25056"
    bad = tmp_path / "labels.csv"
    bad.write_text("file,competence\na.pdf,voirie\nb.pdf,jardinage\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="ligne 3 : code de compétence inconnu 'jardinage'"):
        read_labels(bad, codes)
