"""The morning debrief on a known day (tests/ops/seed.py): the right figures, a self-contained page, the email."""
from __future__ import annotations

import base64
import re

from pipeline.report import build_report
from pipeline.store.database import open_database
from tests.conftest import make_settings
from tests.ops.conftest import smtp_section, triage, write_config
from tests.ops.seed import DAY, seed


def test_report_on_seeded_day_has_the_right_figures(tmp_path, model_dir, database_url):
    settings = make_settings(tmp_path, model_dir, database_url)
    database = open_database(database_url)
    seed(database)
    report = build_report(settings, database, DAY, out=tmp_path / "rapport.html")
    data = report.data
    assert data.received == 8 and dict(data.by_channel) == {"Courriel": 5, "Courrier papier": 3}
    assert data.auto_routed == 4 and dict(data.by_channel_review) == {"Courriel": 2, "Courrier papier": 2}
    assert dict(data.by_competence) == {"Eau et assainissement": 2, "Déchets": 2, "Voirie et espaces publics": 1,
                                        "Compétence communale": 1, "Autre administration": 1,
                                        "Mobilités et transports": 1}
    assert dict(data.by_commune) == {"Besançon": 4, "Thise": 2, "Pouilley-les-Vignes": 1, "Hors territoire": 1}
    assert [line.chrono for line in data.urgent] == ["A-2026-000104"]
    assert data.to_review == 4 and data.oldest_waiting.chrono == "A-2026-000080"
    assert dict(data.backlog_age) == {"reçus la veille": 2, "1 à 2 jours": 1, "plus de 7 jours": 1}
    assert [(line.chrono, line.days_late) for line in data.overdue] == [("A-2026-000080", 12), ("A-2026-000090", 4)]
    assert [line.chrono for line in data.near_due] == ["A-2026-000104", "A-2026-000105"]
    assert data.confirmed == 1
    assert [(c.chrono, c.field, c.before, c.after) for c in data.corrections] == [
        ("A-2026-000100", "commune", "Thise", "Besançon"),
        ("A-2026-000107", "compétence", "Mobilités et transports", "Déchets")]
    assert dict(data.corrected_by_competence) == {"Mobilités et transports": 1}
    assert [q["file"] for q in data.quarantined] == ["illisible.pdf"] and data.quarantine_open == 2
    assert [(r["status"], r["exit_code"]) for r in data.runs] == [("partial", 3)]
    assert set(report.charts) == {"canal", "competence", "commune", "attente", "echeances", "corrections"}


def test_report_page_is_french_and_self_contained(tmp_path, model_dir):
    settings = make_settings(tmp_path, model_dir)
    database = open_database(settings.database_url)
    seed(database)
    html = build_report(settings, database, DAY, out=tmp_path / "rapport.html").path.read_text(encoding="utf-8")
    assert "Débrief du courrier – lundi 23 novembre 2026" in html
    cards = dict((label, int(n)) for n, label in re.findall(r'<div class="n">(\d+)</div><div class="l">([^<]+)<', html))
    assert cards == {"courriers reçus": 8, "orientés automatiquement": 4, "à vérifier ce matin": 4, "urgents reçus": 1,
                     "échéances dépassées": 2, "échéance sous 5 jours": 2, "corrections des agents": 2,
                     "mis en quarantaine": 1}
    images = re.findall(r'<img alt="[^"]+" src="data:image/png;base64,([^"]+)"', html)
    assert len(images) == 6 and all(base64.b64decode(i).startswith(b"\x89PNG") for i in images)
    assert not re.search(r'(src|href)="(https?:)?//', html)  # nothing to fetch: readable offline, in any mailbox
    assert "réussi avec quarantaine (code 3)" in html


def test_report_email_arrives_at_the_local_smtp_server(tmp_path, model_dir, smtp_server):
    port, inbox = smtp_server
    config = write_config(tmp_path, model_dir, f"sqlite:///{tmp_path / 'triage.sqlite'}",
                          extra=smtp_section(port, ["debrief@test.local", "chef@test.local"]))
    seed(open_database(f"sqlite:///{tmp_path / 'triage.sqlite'}"))
    result = triage("report", "-c", str(config), "--date", "2026-11-23", "--email")
    assert result.returncode == 0, result.stderr
    assert "Reçus : 8" in result.stdout and "envoyé à debrief@test.local, chef@test.local" in result.stdout
    [(recipients, message)] = inbox.messages
    assert recipients == ["debrief@test.local", "chef@test.local"]
    assert message["Subject"] == "Courrier du 23/11/2026 : débrief du matin"
    text = message.get_body(("plain",)).get_content()
    assert "Reçus : 8 (Courriel 5, Courrier papier 3)" in text and "Échéances dépassées : 2" in text
    html = message.get_body(("html",)).get_content()
    cids = re.findall(r'src="cid:([^"]+)"', html)
    inline = {part["Content-ID"].strip("<>") for part in message.walk() if part.get_content_type() == "image/png"}
    assert len(cids) == 6 and set(cids) == inline
    attached = [part.get_filename() for part in message.iter_attachments()]
    assert "rapport-2026-11-23.html" in attached


def test_report_email_to_unreachable_server_exits_6(tmp_path, model_dir):
    from tests.ops.conftest import closed_port
    config = write_config(tmp_path, model_dir, f"sqlite:///{tmp_path / 'triage.sqlite'}",
                          extra=smtp_section(closed_port()))
    assert triage("migrate", "-c", str(config)).returncode == 0  # report only reads: it never creates the schema
    result = triage("report", "-c", str(config), "--date", "2026-11-23", "--email")
    assert result.returncode == 6, result.stderr
    assert "envoi impossible" in result.stderr
    assert (tmp_path / "var" / "reports" / "rapport-2026-11-23.html").exists()  # the page is kept all the same
