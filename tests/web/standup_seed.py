"""A team's Monday morning (30 November 2026, Europe/Paris): the stand-up test and its screenshots read it.

Since Friday's debrief (27/11 9 h): 6 items received (Friday afternoon, Saturday, Sunday, Monday
at dawn; 4 routed automatically, 1 urgent), one received Friday at 8 h belongs to the week before.
Waiting now: 3 overdue at the waste service (oldest due 10/11), 1 at the Thise town hall.
Clerks since Friday 9 h: lea 3 actions (2 confirmations, 1 correction), paul 1 confirmation.
Sunday's "Encombrants" is a follow-up of the oldest overdue item. One acknowledgement letter in draft. Eight weeks of history behind it for the trend.
"""
from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from pipeline.store.schema import ItemRow, LetterRow, ReviewEventRow, RunRow

PARIS = ZoneInfo("Europe/Paris")
MONDAY = date(2026, 11, 30)
WASTE = "Direction de la gestion des déchets"
THISE_HALL = "Mairie de Thise"


def at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=PARIS)


def _item(number: int, received: datetime, *, status: str = "routed", review: bool = False, urgent: bool = False,
          due: date | None = None, destination: str = WASTE, kind: str = "metropole", competence: str = "dechets",
          subject: str = "") -> ItemRow:
    chrono = f"A-2026-{number:06d}"
    return ItemRow(chrono=chrono, channel="email" if number % 3 else "courrier", sha256=f"{number:064d}",
                   filename=f"{chrono}.eml", sender=f"Usager {number}", sender_email=f"u{number}@example.org",
                   subject=subject or f"Demande {number}", received_at=received, created_at=received,
                   text=f"Texte {number}", status=status, competence=competence, confidence=0.9 if not review else 0.4,
                   commune="25560", urgent=urgent, urgent_reasons=["fuite"] if urgent else [],
                   due_date=due or received.date() + timedelta(days=60), destination=destination,
                   destination_kind=kind, review_reasons=["confiance du classement faible (40 % < 55 %)"] if review else [])


def seed(sessions) -> dict[str, int]:
    friday, saturday, sunday = MONDAY - timedelta(days=3), MONDAY - timedelta(days=2), MONDAY - timedelta(days=1)
    rows = {
        "before": _item(500, at(friday, 8), subject="Reçu avant le débrief de vendredi"),
        "fri": _item(501, at(friday, 14), review=True, status="to_review", subject="Bac jaune cassé"),
        "sat": _item(502, at(saturday, 10), urgent=True, subject="Fuite d'eau sur la chaussée",
                     destination="Direction de l'eau et de l'assainissement", competence="eau_assainissement"),
        "sun": _item(503, at(sunday, 18), subject="Encombrants à enlever"),
        "sun2": _item(504, at(sunday, 21), review=True, status="confirmed", subject="Calendrier de collecte"),
        "mon": _item(505, at(MONDAY, 7, 30), subject="Composteur"),
        "mon2": _item(506, at(MONDAY, 8, 10), destination=THISE_HALL, kind="commune", competence="commune",
                      subject="Salle des fêtes"),
        "late1": _item(400, at(MONDAY - timedelta(days=40), 9), due=date(2026, 11, 10), subject="Facture de redevance"),
        "late2": _item(401, at(MONDAY - timedelta(days=35), 9), due=date(2026, 11, 18), status="confirmed",
                       review=True, subject="Bac non collecté"),
        "late3": _item(402, at(MONDAY - timedelta(days=30), 9), due=date(2026, 11, 25), subject="Dépôt sauvage"),
        "late4": _item(403, at(MONDAY - timedelta(days=30), 10), due=date(2026, 11, 26), destination=THISE_HALL,
                       kind="commune", competence="commune", subject="Éclairage public"),
    }
    # Eight weeks of history: two items a week, a share of them sent to review, decided a few days later.
    history = [_item(300 + n, at(MONDAY - timedelta(days=7 * (n // 2 + 1) + 2), 11), status="handled",
                     review=n % 3 == 0) for n in range(16)]
    ids = {}
    with sessions() as session:
        session.add_all([*rows.values(), *history])
        session.flush()
        ids = {key: row.id for key, row in rows.items()}
        rows["sun"].followup_of, rows["sun"].followup_reason = ids["late1"], "relance"
        session.add_all([
            ReviewEventRow(item_id=ids["sun2"], user="lea", at=at(MONDAY, 8, 40), action="confirm",
                           before={"status": "to_review"}, after={"status": "confirmed"}),
            ReviewEventRow(item_id=ids["late2"], user="lea", at=at(friday, 10), action="confirm",
                           before={"status": "to_review"}, after={"status": "confirmed"}),
            ReviewEventRow(item_id=ids["mon"], user="lea", at=at(MONDAY, 8, 45), action="correct",
                           before={"competence": "voirie"}, after={"competence": "dechets"}),
            ReviewEventRow(item_id=ids["sat"], user="paul", at=at(friday, 16), action="confirm",
                           before={"status": "to_review"}, after={"status": "routed"}),
            ReviewEventRow(item_id=ids["before"], user="paul", at=at(friday, 8, 30), action="confirm",
                           before={"status": "to_review"}, after={"status": "routed"}),
            *[ReviewEventRow(item_id=row.id, user="lea", at=row.received_at + timedelta(days=3), action="confirm",
                             before={"status": "to_review"}, after={"status": "confirmed"})
              for row in history if row.review_reasons],
            LetterRow(item_id=ids["sat"], kind="accuse_reception", recipient="Usager 502",
                      recipient_email="u502@example.org", channel="email", subject="Accusé de réception",
                      body="Madame, Monsieur, …", status="draft", created_at=at(MONDAY, 8)),
            RunRow(started_at=at(sunday, 23), finished_at=at(sunday, 23, 5), status="ok", host="nuit",
                   counts={"stored": 2}, errors=[], exit_code=0),
        ])
        session.commit()
    return ids
