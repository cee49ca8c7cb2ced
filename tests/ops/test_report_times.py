"""`triage report` on the last day of a seeded month (tests/web/response_times_seed.py): its "Délais de
réponse" section per service and town hall, the figures of store/response_times.py as of the next morning."""
from __future__ import annotations

from datetime import date

from pipeline.report import build_report, text_summary
from pipeline.store.database import open_database
from tests.conftest import make_settings
from tests.web.response_times_seed import seed_month
from tests.web.test_response_times import cells  # one reading of a table row for the page and the report


def test_report_has_the_response_times_of_the_last_30_days(tmp_path, model_dir, database_url):
    settings = make_settings(tmp_path, model_dir, database_url)
    database = open_database(database_url)
    with database() as session:
        seed_month(session)
    report = build_report(settings, database, date(2026, 10, 31), out=tmp_path / "rapport.html")
    assert report.data.times_start == date(2026, 10, 2)
    page = report.path.read_text(encoding="utf-8")
    section = page.split('<h2 id="delais">Délais de réponse</h2>')[1].split("<h2>")[0]
    assert "Courriers reçus du 02/10/2026 au 31/10/2026" in section
    assert section.index("<h3>Services</h3>") < section.index("Voirie") < section.index("<h3>Mairies</h3>") \
        < section.index("Mairie de Thise")
    # As of 1 November: V3 (due 6 November) and E3 (due 2 November) are not late yet.
    assert cells(section, "Voirie") == ["Voirie", "3", "2", "1,5 j", "2", "8,5 j", "50 % (1/2)", "5 j ouvrés", "1", "0"]
    # 2 to 31 October: E2 E3 E4 E5 (E1 and E6 arrived on 1 October in Paris); E4 sent back.
    assert cells(section, "Eau et assainissement") == ["Eau et assainissement", "4", "2", "1,8 j", "2", "14,5 j",
                                                       "50 % (1/2)", "15 j ouvrés", "1", "1"]
    assert cells(section, "Mairie de Thise") == ["Mairie de Thise", "2", "0", "—", "2", "9,0 j", "100 % (2/2)",
                                                 "10 j ouvrés", "0", "0"]
    assert "Déchets" not in section and "Préfecture" not in section  # outside the period; an administration
    assert "dans leur engagement (courriers des 30 derniers jours) : 4 sur 6" in text_summary(report.data)


def test_report_without_distributed_mail_says_so(tmp_path, model_dir):
    settings = make_settings(tmp_path, model_dir)
    database = open_database(settings.database_url)
    page = build_report(settings, database, date(2026, 10, 31), out=tmp_path / "r.html").html
    assert "Aucun courrier distribué à un service ou une mairie sur la période." in page
