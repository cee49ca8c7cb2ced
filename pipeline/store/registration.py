"""Registration fields of an item as people read them, and a clerk's corrections with their audit trail.

A correction is a `review_event` (action "enregistrement", before/after of the changed fields) written
only if the item is still at the version the clerk saw, like every review decision.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timezone

from sqlalchemy import select
from sqlalchemy.orm import Session, aliased
from sqlalchemy.orm.exc import StaleDataError

from pipeline.store.schema import ItemRow, ReviewEventRow

EDITABLE = {"sender": 500, "sender_email": 320, "sender_address": 500, "sender_postcode": 10, "sender_town": 200,
            "sender_phone": 40, "sender_reference": 200, "subject": 1000, "letter_date": None, "received_at": None}
ACTION = "enregistrement"


class Stale(Exception):
    """The item changed since the clerk opened it: nothing written."""


class Invalid(Exception):
    """A value the clerk typed cannot be kept (French reason)."""


@dataclass(frozen=True)
class Registered:
    """An item's registration as the item page, the export, the letters and the debrief read it."""

    id: int
    chrono: str
    channel: str
    version: int
    filename: str
    message_id: str | None
    sender: str
    sender_email: str
    sender_address: str
    sender_postcode: str
    sender_town: str
    sender_phone: str
    sender_reference: str
    subject: str
    letter_date: date | None
    received_at: datetime | None
    followup_of: int | None
    followup_chrono: str | None
    followup_reason: str

    @property
    def address_lines(self) -> list[str]:
        """The postal address as it is written on an envelope (without the name)."""
        town = " ".join(p for p in (self.sender_postcode, self.sender_town) if p)
        return [line for line in self.sender_address.split("\n") if line.strip()] + ([town] if town else [])

    @property
    def label(self) -> str:
        """"Mme Paulette RIGOULOT (25000 Besançon)", or the email address."""
        who = self.sender or self.sender_email
        town = " ".join(p for p in (self.sender_postcode, self.sender_town) if p)
        return f"{who} ({town})" if who and town else who


def _query():
    earlier = aliased(ItemRow)
    return select(ItemRow, earlier.chrono).outerjoin(earlier, earlier.id == ItemRow.followup_of)


def _plain(row: ItemRow, followup_chrono: str | None) -> Registered:
    return Registered(row.id, row.chrono, row.channel, row.version, row.filename, row.message_id, row.sender,
                      row.sender_email, row.sender_address, row.sender_postcode, row.sender_town, row.sender_phone,
                      row.sender_reference, row.subject, row.letter_date, row.received_at, row.followup_of,
                      followup_chrono, row.followup_reason)


def registration_of(session: Session, item_id: int) -> Registered | None:
    found = session.execute(_query().where(ItemRow.id == item_id)).first()
    return _plain(*found) if found else None


def registrations(database, item_ids) -> dict[int, Registered]:
    """Registrations of many items at once (the debrief's lists, the letters)."""
    return _many(database, ItemRow.id, item_ids, lambda found: found.id)


def registrations_by_chrono(database, chronos) -> dict[str, Registered]:
    """Registrations keyed by chrono number (the export's rows carry their chrono)."""
    return _many(database, ItemRow.chrono, chronos, lambda found: found.chrono)


def _many(database, column, keys, key_of) -> dict:
    wanted = list(dict.fromkeys(keys))
    out = {}
    with database() as session:
        for start in range(0, len(wanted), 500):
            for row, chrono in session.execute(_query().where(column.in_(wanted[start:start + 500]))):
                found = _plain(row, chrono)
                out[key_of(found)] = found
    return out


def sender_labels(database, item_ids) -> dict[int, str]:
    """Who wrote each item, as the debrief shows it: "Gérard Faivre (25000 Besançon)"."""
    return {item_id: found.label for item_id, found in registrations(database, item_ids).items()}


def update_registration(session: Session, item_id: int, version: int, values: dict[str, str], user: str) -> int:
    """Write the fields a clerk changed (and the follow-up link, `followup_chrono`); returns the new version."""
    row = session.get(ItemRow, item_id, populate_existing=True)
    if row is None:
        raise Invalid("élément introuvable")
    if row.version != version:
        session.rollback()
        raise Stale()
    before, after = {}, {}
    for name, text in values.items():
        if name == "followup_chrono":
            value = _followup(session, row, text)
            name, old = "followup_of", row.followup_of
        elif name in EDITABLE:
            value, old = _value(name, text), getattr(row, name)
        else:
            raise Invalid(f"champ non modifiable : {name}")
        if _shown(old) != _shown(value):
            before[name], after[name] = _shown(old), _shown(value)
            setattr(row, name, value)
            if name == "followup_of":
                row.followup_reason = f"lien posé par {user}" if value else ""
    if not after:
        return row.version
    session.add(ReviewEventRow(item_id=row.id, user=user, at=datetime.now(timezone.utc), action=ACTION,
                               before=before, after=after))
    try:
        session.commit()
    except StaleDataError:
        session.rollback()
        raise Stale() from None
    return row.version


def _value(name: str, text: str):
    text = " ".join((text or "").split()) if name != "sender_address" else \
        "\n".join(" ".join(line.split()) for line in (text or "").splitlines() if line.strip())
    if name in ("letter_date", "received_at"):
        if not text:
            if name == "received_at":
                raise Invalid("la date de réception est obligatoire")
            return None
        try:
            day = date.fromisoformat(text)
        except ValueError:
            try:
                day = datetime.strptime(text, "%d/%m/%Y").date()
            except ValueError:
                raise Invalid(f"date illisible : « {text} » (attendu JJ/MM/AAAA)") from None
        return datetime(day.year, day.month, day.day, 12, tzinfo=timezone.utc) if name == "received_at" else day
    if name == "sender_postcode" and text and not (text.isdigit() and len(text) == 5):
        raise Invalid(f"code postal invalide : « {text} » (cinq chiffres)")
    return text[:EDITABLE[name]]


def _followup(session: Session, row: ItemRow, chrono: str) -> int | None:
    chrono = (chrono or "").strip().upper()
    if not chrono:
        return None
    earlier = session.execute(select(ItemRow.id).where(ItemRow.chrono == chrono)).scalar()
    if earlier is None or earlier == row.id:
        raise Invalid(f"numéro chrono inconnu : « {chrono} »")
    return earlier


def _shown(value):
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return value if value not in ("",) else None
