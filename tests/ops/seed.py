"""A known day in the database: the report, status, export and purge tests check figures against it.

The day is Monday 23 November 2026 (Europe/Paris); the debrief is held on the 24th.
Received that day: 8 items (5 emails, 3 paper letters), 4 routed automatically, 1 urgent.
Waiting for a clerk on the 24th: 4 (2 received the day before, 1 of 2 days, 1 of 20 days).
Open deadlines: 2 overdue, 1 due today or tomorrow, 1 due within 2-5 days.
Clerks that day: 1 confirmation, 2 corrections (mobilites → dechets, a commune).
Quarantine: 1 new during the night run, 2 open. Night run n°2: partial, exit code 3.
"""
from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from pipeline.store.files import FileStore
from pipeline.store.schema import ItemFileRow, ItemRow, ItemSourceRow, QuarantineRow, ReviewEventRow, RunRow

PARIS = ZoneInfo("Europe/Paris")
DAY = date(2026, 11, 23)
BESANCON, THISE, POUILLEY = "25056", "25560", "25467"
LATER = date(2027, 1, 23)
DESTINATIONS = {"commune": ("Mairie de Besançon", "commune"),
                "hors_competence": ("Autre administration : Préfecture du Doubs (ANTS)", "autre")}


def at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=PARIS)


def d(offset: int) -> date:
    return DAY + timedelta(days=offset)


# chrono, channel, received, competence, commune, status, reviewed?, urgent, due, sender email
ITEMS = [
    ("A-2026-000101", "email", at(DAY, 8, 5), "eau_assainissement", THISE, "routed", False, False, LATER, "jeanne@example.org"),
    ("A-2026-000102", "email", at(DAY, 9, 40), "eau_assainissement", BESANCON, "routed", False, False, LATER, "paul@example.org"),
    ("A-2026-000103", "courrier", at(DAY, 10, 0), "dechets", BESANCON, "to_review", True, False, LATER, ""),
    ("A-2026-000104", "courrier", at(DAY, 11, 15), "voirie", POUILLEY, "routed", False, True, d(2), ""),
    ("A-2026-000105", "email", at(DAY, 14, 30), "commune", BESANCON, "to_review", True, False, d(4), "marc@example.org"),
    ("A-2026-000106", "email", at(DAY, 15, 0), "hors_competence", "HORS", "routed", False, False, LATER, "lea@example.org"),
    ("A-2026-000107", "courrier", at(DAY, 16, 20), "dechets", THISE, "corrected", True, False, LATER, ""),
    ("A-2026-000108", "email", at(DAY, 23, 50), "mobilites", BESANCON, "confirmed", True, False, LATER, "zoe@example.org"),
    # outside the day
    ("A-2026-000100", "email", at(d(-1), 23, 30), "voirie", BESANCON, "to_review", True, False, LATER, "avant@example.org"),
    ("A-2026-000109", "email", at(d(1), 0, 30), "dechets", BESANCON, "routed", False, False, LATER, "apres@example.org"),
    ("A-2026-000090", "courrier", at(d(-10), 9), "urbanisme", BESANCON, "routed", False, False, d(-3), ""),
    ("A-2026-000080", "courrier", at(d(-20), 9), "habitat", THISE, "to_review", True, False, d(-11), ""),
    ("A-2026-000070", "email", at(d(-30), 9), "dechets", BESANCON, "handled", False, False, d(-15), "old@example.org"),
]


def seed(sessions, files: FileStore | None = None) -> dict[str, int]:
    """Insert the known day; returns the item ids by chrono. Originals go to `files` when given."""
    ids = {}
    with sessions() as session:
        night_before = RunRow(started_at=at(DAY, 1), finished_at=at(DAY, 1, 3), status="ok", host="nuit",
                              counts={"fetched": 3, "stored": 3}, errors=[], exit_code=0)
        night = RunRow(started_at=at(d(1), 1), finished_at=at(d(1), 1, 4), status="partial", host="nuit",
                       counts={"fetched": 9, "stored": 8, "duplicates": 0, "quarantined": 1}, errors=[], exit_code=3)
        session.add_all([night_before, night])
        for chrono, channel, received, competence, commune, status, reviewed, urgent, due, email in ITEMS:
            raw = f"Courrier {chrono} de {email or 'M. Papier'}, 12 rue des Vignes".encode()
            sha = files.put(raw) if files else f"{chrono:0>64}"[-64:]
            row = ItemRow(chrono=chrono, channel=channel, sha256=sha, filename=f"{chrono}.eml",
                          sender=f"Expéditeur {chrono[-3:]}", sender_email=email, subject=f"Objet {chrono[-3:]}",
                          received_at=received, created_at=received + timedelta(hours=2), text=f"Texte {chrono}",
                          status=status, competence=competence, confidence=0.9, commune=commune, urgent=urgent,
                          urgent_reasons=["fuite"] if urgent else [], due_date=due,
                          destination=DESTINATIONS.get(competence, (f"Service {competence}",))[0],
                          destination_kind=DESTINATIONS.get(competence, ("", "metropole"))[1],
                          review_reasons=["confiance faible"] if reviewed else [])
            row.files = [ItemFileRow(role="original", name=row.filename, sha256=sha, size=len(raw),
                                     text=f"Texte {chrono}")]
            row.sources = [ItemSourceRow(source="scanner", ref=f"/inbox/{chrono}", seen_at=received)]
            session.add(row)
            session.flush()
            ids[chrono] = row.id
        session.add_all([
            ReviewEventRow(item_id=ids["A-2026-000107"], user="agent.dupont", at=at(DAY, 17), action="correct",
                           before={"competence": "mobilites", "status": "to_review"},
                           after={"competence": "dechets", "status": "corrected"}),
            ReviewEventRow(item_id=ids["A-2026-000100"], user="agent.durand", at=at(DAY, 9, 30), action="correct",
                           before={"commune": THISE}, after={"commune": BESANCON}),
            ReviewEventRow(item_id=ids["A-2026-000108"], user="agent.durand", at=at(DAY, 23, 55), action="confirm",
                           before={"status": "to_review"}, after={"status": "confirmed"}),
            ReviewEventRow(item_id=ids["A-2026-000090"], user="agent.durand", at=at(d(-9), 9), action="correct",
                           before={"competence": "voirie"}, after={"competence": "urbanisme"}),
            QuarantineRow(run_id=None, source="scanner", ref="/inbox/illisible.pdf", filename="illisible.pdf",
                          sha256="f" * 64, size=10, reason="PDF illisible", created_at=at(d(1), 1, 2), status="open"),
            QuarantineRow(run_id=None, source="scanner", ref="/inbox/vide.pdf", filename="vide.pdf",
                          sha256="e" * 64, size=0, reason="fichier vide", created_at=at(d(-1), 1, 2), status="open"),
        ])
        session.commit()
    return ids
