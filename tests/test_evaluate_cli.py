"""`triage evaluate DIR --json` as a user runs it: a real process, the same stages as a run."""
import json
import shutil
import subprocess
import sys

from tests.conftest import DATA, ROOT


def test_evaluate_prints_one_json_object_with_the_documented_keys(tmp_path, model_dir):
    labelled = tmp_path / "labelled"
    labelled.mkdir()
    rows = [("letter_scan.png", "dechets", "25560", "png"), ("text_layer.pdf", "eau_assainissement", "25056", "text_pdf"),
            ("email_with_pdf.eml", "eau_assainissement", "25056", "attached_letter")]
    for name, *_ in rows:
        shutil.copy2(DATA / name, labelled)
    (labelled / "labels.jsonl").write_text("".join(
        json.dumps({"file": f, "competence": c, "commune": m, "urgent": False, "shape": s}) + "\n" for f, c, m, s in rows))
    done = subprocess.run([sys.executable, str(ROOT / "cli.py"), "evaluate", str(labelled), "--json"], cwd=ROOT,
                          capture_output=True, text=True, timeout=600,
                          env={"PATH": "/usr/bin:/bin", "TRIAGE_CLASSIFIER__MODEL_DIR": str(model_dir)})
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert {"n", "competence_accuracy", "competence_macro_f1", "commune_accuracy", "by_shape"} <= set(report)
    assert report["n"] == 3
    assert set(report["by_shape"]) == {"png", "text_pdf", "attached_letter"}
    assert report["commune_accuracy"] == 1.0
    assert report["competence_accuracy"] >= 2 / 3
    assert "items" not in report and "fields_correct" not in report  # plain --json stays as it was


def test_evaluate_items_gives_each_file_s_predictions_and_registration_fields(tmp_path, model_dir):
    labelled = tmp_path / "labelled"
    labelled.mkdir()
    shutil.copy2(DATA / "text_layer.pdf", labelled)
    fields = {"sender_name": "Lucas Moreau", "sender_postcode": "25000", "sender_town": "Besançon",
              "letter_date": "2025-05-19", "subject": "Fuite d'eau sur le trottoir, rue de Belfort"}
    (labelled / "labels.jsonl").write_text(json.dumps({"file": "text_layer.pdf", "competence": "eau_assainissement",
                                                       "commune": "25056", "shape": "text_pdf", "fields": fields}) + "\n")
    done = subprocess.run([sys.executable, str(ROOT / "cli.py"), "evaluate", str(labelled), "--json", "--items"],
                          cwd=ROOT, capture_output=True, text=True, timeout=600,
                          env={"PATH": "/usr/bin:/bin", "TRIAGE_CLASSIFIER__MODEL_DIR": str(model_dir)})
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    [item] = report["items"]
    assert set(item) == {"file", "competence", "commune", "urgent", "fields"}
    assert item["file"] == "text_layer.pdf" and item["commune"] == "25056"
    assert item["fields"]["sender_postcode"] == "25000" and item["fields"]["letter_date"] == "2025-05-19"
    assert item["fields"]["subject"] == "Fuite d'eau sur le trottoir rue de Belfort"
    assert {name: v["correct"] for name, v in report["fields_correct"].items()} == dict.fromkeys(fields, 1.0)
