"""Real rows for the web tests: emails parsed by the pipeline's own reader, suggestions set by hand."""
from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid

from pipeline.extract.mail import read_email
from pipeline.item import Document, Item, Place, Routing, Scored
from pipeline.store import items as item_store
from pipeline.store.files import FileStore

PATTERN = "A-{year}-{number:06d}"


def email_bytes(subject: str, body: str, *, sender: str = "Jeanne Martin <jeanne.martin@example.org>",
                html: str | None = None, when: datetime | None = None) -> bytes:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = "courrier@grandbesancon.fr"
    message["Subject"] = subject
    message["Date"] = format_datetime(when or datetime(2026, 11, 20, 9, 30, tzinfo=timezone.utc))
    message["Message-ID"] = make_msgid(domain="example.org")
    message.set_content(body)
    if html is not None:
        message.add_alternative(html, subtype="html")
    return message.as_bytes()


def email_item(raw: bytes, *, competences: list[tuple[str, float]], commune: str | None = None,
               evidence: str = "", status: str = "to_review", urgent: bool = False,
               destination: str = "Direction de l'eau et de l'assainissement", kind: str = "metropole",
               due: date | None = None, name: str = "message.eml") -> Item:
    item = read_email(Document(source="eml", ref=name, filename=name, raw=raw))
    places = (Place(commune, "Thise", evidence, "postcode_town", "body", 3.0),) if commune and evidence else ()
    return item.with_(
        places=places, commune=commune, commune_evidence=evidence, urgent=urgent,
        competences=tuple(Scored(code, p) for code, p in competences), model_version="test",
        routing=Routing(kind, destination, status, due or date(2027, 1, 20),
                        ("confiance du classement faible",) if status == "to_review" else ()))


def store(sessions, files_dir, items: list[Item]) -> list[int]:
    files = FileStore(files_dir)
    ids = []
    with sessions() as session:
        for item in items:
            row = item_store.save_item(session, item, files, run_id=None, chrono_pattern=PATTERN)
            session.flush()
            ids.append(row.id)
        session.commit()
    return ids


def sample_items(count: int = 3) -> list[Item]:
    """A water leak in Thise (to review), then a few ordinary ones."""
    leak = email_item(email_bytes("Fuite d'eau devant chez moi",
                                  "Bonjour,\nUne fuite d'eau coule depuis hier rue des Vergers.\n"
                                  "Jeanne Martin\n3 rue des Vergers\n25220 Thise\n"),
                      competences=[("eau_assainissement", 0.52), ("voirie", 0.31), ("dechets", 0.08)],
                      commune="25560", evidence="25220 Thise", name="fuite.eml")
    others = [email_item(email_bytes(f"Demande {n}", f"Bonjour, voici ma demande numéro {n} sur la collecte des bacs."),
                         competences=[("dechets", 0.48), ("voirie", 0.2), ("eau_assainissement", 0.1)],
                         name=f"demande-{n}.eml", due=date(2027, 1, 20) + timedelta(days=n),
                         destination="Direction de la gestion des déchets")
              for n in range(1, count)]
    return [leak, *others]
