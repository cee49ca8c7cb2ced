"""Review page under load: 50,000 items in SQLite and PostgreSQL, server time of the queue and item pages.

    .venv/bin/python bench/web_bench.py                       # both databases, 50,000 items
    .venv/bin/python bench/web_bench.py --backend sqlite --items 20000 --requests 40

Fills a fresh database (migrated by the application's own code) with a realistic spread of
statuses, competences, communes, channels, dates and French text, with predictions, files and
audit events, then requests each page N times through the ASGI application in process and reads
the application's own Server-Timing header (time spent in the app, not in the HTTP client).
Prints the median and 95th percentile per page; the target is a median under 200 ms.
"""
from __future__ import annotations

import argparse
import os
import hashlib
import random
import statistics
import sys
import tempfile
import time
import uuid
from datetime import datetime, timedelta, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sqlalchemy import create_engine, text  # noqa: E402

from pipeline.config import load_settings  # noqa: E402
from pipeline.reference import load_reference  # noqa: E402
from pipeline.routing_table import load_routing_table  # noqa: E402
from pipeline.store.database import open_database  # noqa: E402
from pipeline.store.files import FileStore  # noqa: E402
from pipeline.store.schema import ItemFileRow, ItemRow, PredictionRow, ReviewEventRow  # noqa: E402

NOW = datetime.now(timezone.utc)
POSTGRES_ADMIN = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
STATUSES = [("routed", 0.55), ("to_review", 0.15), ("confirmed", 0.14), ("corrected", 0.06), ("handled", 0.10)]
FIRST = ["Jeanne", "Louis", "Camille", "Nicolas", "Sophie", "Gérard", "Martine", "Hugo", "Léa", "Paul", "Inès"]
LAST = ["Martin", "Faivre", "Girardot", "Cuenot", "Bourgeois", "Vuillemin", "Jacquot", "Roy", "Pétot", "Mougin"]
TOPICS = {
    "eau_assainissement": ["fuite d'eau", "compteur d'eau", "facture d'eau", "égout bouché", "coupure d'eau"],
    "dechets": ["bac jaune non collecté", "encombrants", "déchèterie", "redevance incitative", "composteur"],
    "mobilites": ["ligne de bus Ginko", "abonnement tram", "parking relais", "vélo en libre-service"],
    "voirie": ["nid-de-poule", "trottoir dégradé", "éclairage de la rue", "déneigement", "ralentisseur"],
    "urbanisme": ["permis de construire", "PLUi", "déclaration préalable", "certificat d'urbanisme"],
    "habitat": ["rénovation énergétique", "logement social", "aide à l'habitat"],
    "commune": ["état civil", "inscription à l'école", "salle des fêtes", "cimetière"],
}
FILLER = ("Madame, Monsieur, je me permets de vous écrire au sujet de {topic} {place}. Depuis plusieurs "
          "semaines la situation ne s'améliore pas et les voisins se plaignent également. Pourriez-vous "
          "intervenir rapidement ou m'indiquer le service compétent ? Je reste disponible pour tout "
          "renseignement complémentaire. Je vous prie d'agréer mes salutations distinguées.\n{name}\n"
          "{number} rue des {street}\n{postcode} {town}\n")
STREETS = ["Vergers", "Tilleuls", "Écoles", "Champs", "Jardins", "Vignes", "Acacias"]


def weighted(rng: random.Random, pairs):
    return rng.choices([p[0] for p in pairs], weights=[p[1] for p in pairs])[0]


CHUNK = 20_000  # items generated and written at a time: a million rows never sit in memory at once


def make_rows(count: int, seed: int = 7, first: int = 1):
    """Item rows number `first` to `count` and their predictions, files and events, as plain dicts."""
    rng = random.Random(seed * 1_000_003 + first)
    reference = load_reference(ROOT / "data/reference")
    table = load_routing_table(ROOT / "config/routing.toml")
    codes = [c.code for c in reference.competences]
    code_weights = [12 if c in ("dechets", "eau_assainissement", "voirie") else 6 if c in TOPICS else 2 for c in codes]
    communes = list(reference.communes)
    besancon = reference.commune_by_insee["25056"]
    now = NOW
    items, predictions, files, events = [], [], [], []
    for n in range(first, count + 1):
        competence = rng.choices(codes, weights=code_weights)[0]
        roll = rng.random()
        commune = besancon if roll < 0.5 else None if roll < 0.57 else "HORS" if roll < 0.6 else rng.choice(communes)
        insee = commune if commune in (None, "HORS") else commune.insee
        town = "Besançon" if commune in (None, "HORS") else commune.name
        postcode = "25000" if commune in (None, "HORS") else commune.postcodes[0]
        status = weighted(rng, STATUSES)
        received = now - timedelta(days=rng.random() * 365, minutes=rng.randint(0, 600))
        urgent = rng.random() < 0.05
        confidence = round(rng.betavariate(5, 2), 4)
        topic = rng.choice(TOPICS.get(competence, ["demande d'information", "réclamation", "invitation"]))
        name = f"{rng.choice(FIRST)} {rng.choice(LAST)}"
        body = FILLER.format(topic=topic, place=f"à {town}", name=name, number=rng.randint(1, 80),
                             street=rng.choice(STREETS), postcode=postcode, town=town)
        channel = "email" if rng.random() < 0.7 else "courrier"
        subject = f"{topic[:1].upper()}{topic[1:]} – {town}" if channel == "email" else ""
        kind = reference.competence(competence).handled_by
        destination = table.services.get(competence, "").format(commune=town, administration="à déterminer")
        items.append({
            "id": n, "chrono": f"A-{received.year}-{n:06d}", "channel": channel, "sha256": hashlib.sha256(
                f"bench-{n}".encode()).hexdigest(), "message_id": f"<{n}@bench.example>" if channel == "email" else None,
            "filename": f"{n}.eml" if channel == "email" else f"scan-{n}.pdf", "sender": name if channel == "email" else "",
            "sender_email": f"{name.split()[0].lower()}.{n}@example.org" if channel == "email" else "",
            "subject": subject, "received_at": received, "created_at": received + timedelta(hours=8),
            "text": (f"Objet : {subject}\n\n" if subject else "") + body, "status": status,
            "competence": competence, "confidence": confidence, "commune": insee,
            "commune_evidence": f"{postcode} {town}" if insee else "", "urgent": urgent,
            "urgent_reasons": ["délai court demandé (« urgent »)"] if urgent else [],
            "due_date": (received + timedelta(days=5 if urgent else 61)).date(), "destination_kind": kind,
            "destination": destination, "review_reasons": ["confiance du classement faible"] if status == "to_review"
            else [], "ocr_confidence": None if channel == "email" else round(rng.uniform(60, 95), 1),
            "model_version": "bench", "run_id": None, "version": 1})
        others = rng.sample([c for c in codes if c != competence], 2)
        for rank, (label, score) in enumerate([(competence, confidence), (others[0], (1 - confidence) * 0.6),
                                               (others[1], (1 - confidence) * 0.3)], 1):
            predictions.append({"item_id": n, "kind": "competence", "rank": rank, "label": label, "score": score,
                                "evidence": "", "detail": "", "model_version": "bench"})
        if insee:
            predictions.append({"item_id": n, "kind": "place", "rank": 1, "label": insee, "score": 3.0,
                                "evidence": f"{postcode} {town}", "detail": "postcode_town/sender", "model_version": None})
        files.append({"item_id": n, "role": "original", "name": items[-1]["filename"],
                      "content_type": "message/rfc822" if channel == "email" else "application/pdf",
                      "sha256": items[-1]["sha256"], "size": len(body), "page_number": None, "text": "",
                      "method": None, "ocr_confidence": None, "error": None})
        files.append({"item_id": n, "role": "body" if channel == "email" else "scan", "name": "corps",
                      "content_type": "text/plain", "sha256": None, "size": None, "page_number": None, "text": body,
                      "method": None, "ocr_confidence": None, "error": None})
        if status in ("confirmed", "corrected", "handled"):
            events.append({"item_id": n, "user": "agent", "at": received + timedelta(days=1), "action": "confirm",
                           "before": {"status": "to_review"}, "after": {"status": "confirmed"}, "comment": ""})
    return items, predictions, files, events


TABLES = (ItemRow.__table__, PredictionRow.__table__, ItemFileRow.__table__, ReviewEventRow.__table__)


def fill(url: str, count: int) -> float:
    """The real migrations (indexes, full-text search), then the rows by chunks: COPY on PostgreSQL."""
    started = time.perf_counter()
    sessions = open_database(url)
    engine = sessions.kw["bind"]
    postgres = engine.dialect.name == "postgresql"
    dropped = _drop_secondary_indexes(engine) if postgres else []
    for first in range(1, count + 1, CHUNK):
        chunk = make_rows(min(count, first + CHUNK - 1), first=first)
        if postgres:
            _copy(engine, chunk)
        else:
            with engine.begin() as connection:
                for table, rows in zip(TABLES, chunk):
                    for start in range(0, len(rows), 5000):
                        connection.execute(table.insert(), rows[start:start + 5000])
        print(f"\r  {min(count, first + CHUNK - 1):,} éléments écrits ({time.perf_counter() - started:.0f} s)",
              end="", file=sys.stderr, flush=True)
    print(file=sys.stderr)
    with engine.begin() as connection:
        for statement in dropped:  # as pg_restore does: indexes built once over the loaded rows
            connection.execute(text(statement))
        if postgres:
            connection.execute(text("SELECT setval(pg_get_serial_sequence('item', 'id'), (SELECT max(id) FROM item))"))
            for table in TABLES[1:]:
                connection.execute(text(f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), "
                                        f"(SELECT max(id) FROM {table.name}))"))
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        # What autovacuum does after a bulk load on a live server: statistics, and the visibility map
        # that lets PostgreSQL count from the indexes alone.
        connection.execute(text("VACUUM ANALYZE" if engine.dialect.name == "postgresql" else "ANALYZE"))
    engine.dispose()
    return time.perf_counter() - started


SQL_CHUNK = 100_000
SQL_FILL_FROM = 100_000 if not os.environ.get("BENCH_SQL_FILL") else 0  # items: above, PostgreSQL generates its rows itself


def fill_in_postgres(url: str, count: int) -> float:
    """A million rows are generated by PostgreSQL itself (generate_series): the same spread of
    statuses, competences, communes, channels, dates and French text as make_rows, in minutes
    rather than the hour Python would take."""
    started = time.perf_counter()
    sessions = open_database(url)
    engine = sessions.kw["bind"]
    reference = load_reference(ROOT / "data/reference")
    routing = load_routing_table(ROOT / "config/routing.toml")
    pairs = []  # (competence, topic, kind, destination), repeated by weight
    for competence in reference.competences:
        weight = 12 if competence.code in ("dechets", "eau_assainissement", "voirie") else 6 if competence.code in TOPICS else 2
        for topic in TOPICS.get(competence.code, ["demande d'information", "réclamation", "invitation"]):
            pairs += [(competence.code, topic, competence.handled_by,
                       routing.services.get(competence.code, "").format(commune="{commune}", administration="à déterminer"))
                      ] * weight
    communes = [(c.insee, c.name, c.postcodes[0]) for c in reference.communes]
    arrays = {"codes": [p[0] for p in pairs], "topics": [p[1] for p in pairs], "kinds": [p[2] for p in pairs],
              "destinations": [p[3] for p in pairs], "all_codes": [c.code for c in reference.competences],
              "insees": [c[0] for c in communes], "towns": [c[1] for c in communes], "postcodes": [c[2] for c in communes],
              "first_names": FIRST, "last_names": LAST, "streets": STREETS}
    dropped = _drop_secondary_indexes(engine)
    for first in range(1, count + 1, SQL_CHUNK):  # one commit per chunk
        last = min(count, first + SQL_CHUNK - 1)
        with engine.begin() as connection:
            connection.execute(text("SELECT setseed(:seed)"), {"seed": first / (count + 1)})
            connection.execute(text(ITEMS_SQL), {"first_id": first, "last_id": last, "now": NOW, **arrays})
            for statement in CHILDREN_SQL:
                connection.execute(text(statement), {"first_id": first, "last_id": last, **arrays})
        print(f"\r  {last:,} éléments écrits ({time.perf_counter() - started:.0f} s)", end="", file=sys.stderr,
              flush=True)
    print(file=sys.stderr)
    with engine.begin() as connection:
        for statement in dropped:
            connection.execute(text(statement))
        for table in TABLES:
            connection.execute(text(f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), "
                                    f"(SELECT max(id) FROM {table.name}))"))
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.execute(text("VACUUM ANALYZE"))
    engine.dispose()
    return time.perf_counter() - started


ITEMS_SQL = """
INSERT INTO item (id, chrono, channel, sha256, message_id, filename, sender, sender_email, subject, received_at,
                  created_at, text, status, competence, confidence, commune, commune_evidence, urgent, urgent_reasons,
                  due_date, destination_kind, destination, review_reasons, ocr_confidence, model_version, version)
SELECT n, 'A-' || extract(year FROM received)::int || '-' || lpad(n::text, greatest(6, length(n::text)), '0'), channel,
       md5('bench-' || n) || md5('hcneb-' || n), CASE WHEN channel = 'email' THEN '<' || n || '@bench.example>' END,
       CASE WHEN channel = 'email' THEN n || '.eml' ELSE 'scan-' || n || '.pdf' END,
       CASE WHEN channel = 'email' THEN name ELSE '' END,
       CASE WHEN channel = 'email' THEN lower(split_part(name, ' ', 1)) || '.' || n || '@example.org' ELSE '' END,
       subject, received, received + interval '8 hours',
       CASE WHEN subject <> '' THEN 'Objet : ' || subject || E'\n\n' ELSE '' END
         || 'Madame, Monsieur, je me permets de vous écrire au sujet de ' || topic || ' à ' || town
         || '. Depuis plusieurs semaines la situation ne s''améliore pas et les voisins se plaignent également. '
         || 'Pourriez-vous intervenir rapidement ou m''indiquer le service compétent ? Je reste disponible pour tout '
         || 'renseignement complémentaire. Je vous prie d''agréer mes salutations distinguées.' || E'\n' || name
         || E'\n' || (1 + floor(r_number * 80))::int || ' rue des ' || street || E'\n' || postcode || ' ' || town || E'\n',
       status, code, confidence, insee, CASE WHEN insee IS NOT NULL THEN postcode || ' ' || town ELSE '' END,
       urgent, CASE WHEN urgent THEN '["délai court demandé (« urgent »)"]' ELSE '[]' END::json,
       (received + CASE WHEN urgent THEN interval '5 days' ELSE interval '61 days' END)::date, kind,
       replace(destination, '{commune}', town),
       CASE WHEN status = 'to_review' THEN '["confiance du classement faible"]' ELSE '[]' END::json,
       CASE WHEN channel = 'courrier' THEN round((60 + r_ocr * 35)::numeric, 1) END, 'bench', 1
FROM (
  SELECT n, channel, received, urgent, confidence, name, street, r_number, r_ocr,
         CASE WHEN s < 0.55 THEN 'routed' WHEN s < 0.70 THEN 'to_review' WHEN s < 0.84 THEN 'confirmed'
              WHEN s < 0.90 THEN 'corrected' ELSE 'handled' END AS status,
         (CAST(:codes AS text[]))[pick] AS code, (CAST(:topics AS text[]))[pick] AS topic, (CAST(:kinds AS text[]))[pick] AS kind, (CAST(:destinations AS text[]))[pick] AS destination,
         CASE WHEN place < 0.5 THEN '25056' WHEN place < 0.57 THEN NULL WHEN place < 0.6 THEN 'HORS'
              ELSE (CAST(:insees AS text[]))[commune] END AS insee,
         CASE WHEN place < 0.6 THEN 'Besançon' ELSE (CAST(:towns AS text[]))[commune] END AS town,
         CASE WHEN place < 0.6 THEN '25000' ELSE (CAST(:postcodes AS text[]))[commune] END AS postcode,
         CASE WHEN channel = 'email' THEN upper(left((CAST(:topics AS text[]))[pick], 1)) || substr((CAST(:topics AS text[]))[pick], 2) || ' – '
              || CASE WHEN place < 0.6 THEN 'Besançon' ELSE (CAST(:towns AS text[]))[commune] END ELSE '' END AS subject
  FROM (
    SELECT n, 1 + floor(random() * cardinality(CAST(:codes AS text[])))::int AS pick, random() AS place,
           1 + floor(random() * cardinality(CAST(:insees AS text[])))::int AS commune,
           CASE WHEN random() < 0.7 THEN 'email' ELSE 'courrier' END AS channel,
           CAST(:now AS timestamptz) - random() * interval '365 days' - floor(random() * 600) * interval '1 minute' AS received,
           random() < 0.05 AS urgent, round((0.3 + 0.7 * sqrt(random()))::numeric, 4)::float AS confidence,
           random() AS s,
           (CAST(:first_names AS text[]))[1 + floor(random() * cardinality(CAST(:first_names AS text[])))::int] || ' '
             || (CAST(:last_names AS text[]))[1 + floor(random() * cardinality(CAST(:last_names AS text[])))::int] AS name,
           (CAST(:streets AS text[]))[1 + floor(random() * cardinality(CAST(:streets AS text[])))::int] AS street,
           random() AS r_number, random() AS r_ocr
    FROM generate_series(CAST(:first_id AS int), CAST(:last_id AS int)) n
  ) draws
) derived
"""
CHILDREN_SQL = [
    """INSERT INTO prediction (item_id, kind, rank, label, score, evidence, detail, model_version)
       SELECT id, 'competence', rank, CASE WHEN rank = 1 THEN competence
              ELSE (CAST(:all_codes AS text[]))[1 + floor(random() * cardinality(CAST(:all_codes AS text[])))::int] END,
              CASE rank WHEN 1 THEN confidence WHEN 2 THEN (1 - confidence) * 0.6 ELSE (1 - confidence) * 0.3 END,
              '', '', 'bench'
       FROM item, generate_series(1, 3) rank WHERE id BETWEEN :first_id AND :last_id""",
    """INSERT INTO prediction (item_id, kind, rank, label, score, evidence, detail, model_version)
       SELECT id, 'place', 1, commune, 3.0, commune_evidence, 'postcode_town/sender', NULL
       FROM item WHERE id BETWEEN :first_id AND :last_id AND commune IS NOT NULL""",
    """INSERT INTO item_file (item_id, role, name, content_type, sha256, size, page_number, text, method,
                              ocr_confidence, error)
       SELECT id, 'original', filename, CASE WHEN channel = 'email' THEN 'message/rfc822' ELSE 'application/pdf' END,
              sha256, length(text), NULL::int, '', NULL, NULL::float, NULL FROM item WHERE id BETWEEN :first_id AND :last_id
       UNION ALL
       SELECT id, CASE WHEN channel = 'email' THEN 'body' ELSE 'scan' END, 'corps', 'text/plain', NULL, NULL, NULL::int,
              text, NULL, NULL::float, NULL FROM item WHERE id BETWEEN :first_id AND :last_id""",
    """INSERT INTO review_event (item_id, "user", at, action, before, after, comment)
       SELECT id, 'agent', received_at + interval '1 day', 'confirm', '{"status": "to_review"}',
              '{"status": "confirmed"}', '' FROM item
       WHERE id BETWEEN :first_id AND :last_id AND status IN ('confirmed', 'corrected', 'handled')""",
]


def _drop_secondary_indexes(engine) -> list[str]:
    """Drop the indexes of the filled tables that no constraint needs; returns how to create them again."""
    names = ", ".join(f"'{t.name}'" for t in TABLES)
    with engine.begin() as connection:
        rows = connection.execute(text(
            f"SELECT indexname, indexdef FROM pg_indexes WHERE tablename IN ({names}) AND indexname NOT IN "
            "(SELECT conname FROM pg_constraint)")).all()
        for name, _ in rows:
            connection.execute(text(f'DROP INDEX "{name}"'))
    return [definition for _, definition in rows]


def _copy(engine, chunk) -> None:
    import json
    raw = engine.raw_connection()
    try:
        with raw.cursor() as cursor:
            for table, rows in zip(TABLES, chunk):
                if not rows:
                    continue
                columns = list(rows[0])
                if table is not ItemRow.__table__:
                    offset = _next_id(cursor, table.name)
                    columns = ["id", *columns]
                    rows = [{"id": offset + i, **row} for i, row in enumerate(rows)]
                with cursor.copy(f"COPY {table.name} ({', '.join(chr(34) + c + chr(34) for c in columns)}) FROM STDIN") as copy:
                    for row in rows:
                        copy.write_row([json.dumps(row[c], ensure_ascii=False) if isinstance(row[c], (list, dict))
                                        else row[c] for c in columns])
        raw.commit()
    finally:
        raw.close()


def _next_id(cursor, table: str) -> int:
    cursor.execute(f"SELECT coalesce(max(id), 0) + 1 FROM {table}")
    return cursor.fetchone()[0]


def put_originals(settings, sessions, ids: list[int]) -> None:
    """Real .eml originals for the items the benchmark opens, so their pages parse and sanitise an email."""
    from email.message import EmailMessage
    store = FileStore(settings.file_store_dir)
    with sessions() as session:
        for item_id in ids:
            row = session.get(ItemRow, item_id)
            if row.channel != "email":
                continue
            message = EmailMessage()
            message["From"], message["To"], message["Subject"] = row.sender_email, "courrier@grandbesancon.fr", row.subject
            message.set_content(row.text)
            message.add_alternative(f"<p>{row.text}</p><img src='http://tracker.example/x.png'>", subtype="html")
            digest = store.put(message.as_bytes())
            original = next(f for f in row.files if f.role == "original")
            original.sha256 = row.sha256 = digest
        session.commit()


def measure(url: str, data_dir: Path, requests: int, count: int) -> dict[str, list[float]]:
    from fastapi.testclient import TestClient

    from pipeline.store.users import add_user
    from pipeline.web.app import create_app
    settings = load_settings(ROOT / "config/triage.toml", database_url=url, data_dir=data_dir, folders=[])
    sessions = open_database(url)
    with sessions() as session:
        add_user(session, "bench", "mot-de-passe-du-banc", "admin")
    rng = random.Random(11)
    item_ids = [rng.randint(1, count) for _ in range(requests)]
    put_originals(settings, sessions, item_ids)
    app = create_app(settings, database=sessions, secret_key="bench-" * 8)
    pages = {
        "file (à revoir, page 1)": lambda i: "/file",
        "file (tous, page 200)": lambda i: "/file?statut=tous&page=200",
        "file (compétence + commune)": lambda i: "/file?statut=tous&competence=dechets&commune=25056",
        "file (dates + confiance)": lambda i: "/file?statut=tous&du=2026-03-01&au=2026-06-30&confiance_min=80",
        "file (recherche plein texte)": lambda i: f"/file?statut=tous&q={rng.choice(['fuite', 'bac jaune', 'Vergers', 'permis'])}",
        "élément": lambda i: f"/elements/{item_ids[i]}",
        "élément (depuis une vue filtrée)": lambda i: f"/elements/{item_ids[i]}?competence=dechets",
        "services": lambda i: "/services",
    }
    timings: dict[str, list[float]] = {}
    with TestClient(app) as client:
        login = client.get("/connexion").text
        token = login.split('name="csrf_token" value="')[1].split('"')[0]
        client.post("/connexion", data={"username": "bench", "password": "mot-de-passe-du-banc", "csrf_token": token})
        for name, path in pages.items():
            client.get(path(0))  # warm-up: templates compiled, caches filled
            timings[name] = []
            for i in range(requests):
                response = client.get(path(i))
                assert response.status_code == 200, (name, response.status_code)
                timings[name].append(float(response.headers["server-timing"].split("dur=")[1]))
    sessions.kw["bind"].dispose()
    return timings


def report(backend: str, fill_s: float, count: int, timings: dict[str, list[float]]) -> None:
    print(f"\n{backend} : {count:,} éléments insérés en {fill_s:.0f} s".replace(",", "\u202f"))
    print(f"  {'page':<36} {'médiane':>9} {'p95':>9} {'max':>9}")
    for name, values in timings.items():
        ordered = sorted(values)
        p95 = ordered[min(len(ordered) - 1, int(round(0.95 * (len(ordered) - 1))))]
        print(f"  {name:<36} {statistics.median(values):>7.1f} ms {p95:>6.1f} ms {ordered[-1]:>6.1f} ms")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=50_000)
    parser.add_argument("--requests", type=int, default=30, help="requests per page")
    parser.add_argument("--backend", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--postgres", default=POSTGRES_ADMIN, help="an existing database used to create a scratch one")
    parser.add_argument("--keep", action="store_true", help="keep the filled PostgreSQL database (its URL is printed)")
    parser.add_argument("--reuse", metavar="URL", help="measure a database filled and kept by an earlier --keep run")
    args = parser.parse_args()
    if args.reuse:
        with tempfile.TemporaryDirectory(prefix="triage-web-bench-") as scratch:
            open_database(args.reuse)  # migrations the kept database may lack
            report("PostgreSQL (base conservée)", 0, args.items, measure(args.reuse, Path(scratch), args.requests,
                                                                        args.items))
        return
    with tempfile.TemporaryDirectory(prefix="triage-web-bench-") as scratch:
        scratch = Path(scratch)
        if args.backend in ("sqlite", "both"):
            url = f"sqlite:///{scratch / 'bench.sqlite'}"
            seconds = fill(url, args.items)
            report("SQLite", seconds, args.items, measure(url, scratch / "var-sqlite", args.requests, args.items))
        if args.backend in ("postgresql", "both"):
            name = f"triage_bench_{uuid.uuid4().hex[:8]}"
            admin = create_engine(args.postgres, isolation_level="AUTOCOMMIT")
            with admin.connect() as connection:
                connection.execute(text(f'CREATE DATABASE "{name}"'))
            url = args.postgres.rsplit("/", 1)[0] + f"/{name}"
            try:
                seconds = (fill_in_postgres if args.items > SQL_FILL_FROM else fill)(url, args.items)
                if args.keep:
                    print(f"base conservée : --reuse {url}", file=sys.stderr)
                report("PostgreSQL", seconds, args.items, measure(url, scratch / "var-pg", args.requests, args.items))
            finally:
                if not args.keep:
                    with admin.connect() as connection:
                        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
                admin.dispose()


if __name__ == "__main__":
    main()
