"""Letters owed to senders under the Code des relations entre le public et l'administration (CRPA).

- accuse_reception (L112-3, R112-5): for a request the métropole handles: the date received, the
  service in charge and how to reach it, the date on which silence becomes an implicit decision
  (two months, L231-1 and L231-4) and the appeal routes.
- transmission + avis_transmission (L114-2): a request for another authority (a town hall, the
  prefecture...) is sent on to it, and the sender is told.

Only items whose routing is settled (routed automatically, confirmed or corrected by a clerk) get
a letter, one of each kind at most. A letter is a draft until sent: by email (`send`) when an
address is known, otherwise printed from its PDF and marked sent by hand (`mark_sent`).
"""
from __future__ import annotations

from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from pipeline.config import Settings
from pipeline.letters.render import render_text, write_pdf
from pipeline.report import MONTHS, long_date
from pipeline.routing_table import Delay
from pipeline.status import SETTLED
from pipeline.store import letters as stored
from pipeline.store.letters import LetterInfo, LetterItem, list_letters, mark_sent
from pipeline.store.directory import Entry
from pipeline.store.registration import Registered, registrations
from pipeline.store.statistics import utc

__all__ = ["KIND_FR", "LetterInfo", "draft_letters", "draft_transmission", "letters_needed", "list_letters",
           "mark_sent"]
UNRESOLVED = ("à déterminer", "Mairie à déterminer")
KIND_FR = {"accuse_reception": "accusé de réception", "transmission": "transmission à l'autorité compétente",
           "avis_transmission": "avis de transmission à l'expéditeur"}


def letters_needed(item: LetterItem, settings: Settings) -> list[str]:
    """Which letters this item calls for."""
    if item.purged_at is not None or item.status not in SETTLED:
        return []
    if item.destination_kind in ("commune", "autre"):
        unresolved = any(item.destination.endswith(u) for u in UNRESOLVED)
        return [] if unresolved else ["transmission", "avis_transmission"]
    if item.competence in settings.letters.no_acknowledgement:
        return []
    return ["accuse_reception"]


def draft_letters(settings: Settings, database, since: date | None = None,
                  today: date | None = None) -> list[LetterInfo]:
    """Draft every letter owed for items received since `since` (default: 30 days ago) and not yet drafted."""
    zone = ZoneInfo(settings.timezone)
    today = today or datetime.now(zone).date()
    since = since or today - timedelta(days=30)
    start = datetime.combine(since, datetime.min.time(), zone)
    drafted = []
    settled = [(item, existing) for item, existing in stored.settled_items(database, start - timedelta(days=1))
               if utc(item.received_at or item.created_at) >= start]
    registered = registrations(database, [item.id for item, _ in settled])
    wanted = [(item, kind) for item, existing in settled for kind in letters_needed(item, settings)
              if kind not in existing]
    entries = stored.directory_entries(database, sorted({item.id for item, _ in wanted}))
    for item, kind in wanted:
        if info := stored.add_draft(database, item, **_draft(item, kind, settings, today, zone,
                                                               registered.get(item.id), entries.get(item.id))):
            drafted.append(info)
    return drafted


def draft_transmission(settings: Settings, database, item_id: int, today: date | None = None) -> list[LetterInfo]:
    """Draft (again) the transmission (L114-2) and the notice to the sender of an item a clerk has just sent
    to another administration, with the directory's details; drafts of an earlier routing are replaced,
    an acknowledgement not yet sent is cancelled. Letters already sent stay as they are."""
    zone = ZoneInfo(settings.timezone)
    today = today or datetime.now(zone).date()
    item = stored.letter_item(database, item_id)
    found = registrations(database, [item_id]).get(item_id)
    entry = stored.directory_entries(database, [item_id]).get(item_id)
    return [stored.replace_draft(database, item, **_draft(item, kind, settings, today, zone, found, entry))
            for kind in ("transmission", "avis_transmission")]


def _draft(item: LetterItem, kind: str, settings: Settings, today: date, zone: ZoneInfo,
           found: Registered | None = None, entry: Entry | None = None) -> dict:
    letters = settings.letters
    context = _context(item, settings, today, zone, found, entry)
    subject, body = render_text(letters, kind, context)
    if kind == "transmission":
        recipient, email = context["authority"], context["authority_email"]
        lines = [recipient] + context["authority_address"].split(", ")
    else:
        recipient, email = item.sender, item.sender_email
        postal = found.address_lines if found and found.sender_postcode else []
        lines = [recipient or "[destinataire à compléter]"] + (postal or ([] if email else ["[adresse à compléter]"]))
    channel = "email" if email else "courrier"
    path = ""
    if channel == "courrier":
        out = Path(letters.out_dir or Path(settings.data_dir) / "letters")
        path = str(write_pdf(out / f"{item.chrono}-{kind}.pdf", letters, recipient=[line for line in lines if line],
                             subject=subject, body=body, reference=item.chrono, on=today))
    return {"kind": kind, "recipient": recipient[:500], "recipient_email": email[:320], "channel": channel,
            "subject": subject[:1000], "body": body, "pdf_path": path}


def _context(item: LetterItem, settings: Settings, today: date, zone: ZoneInfo,
             found: Registered | None = None, entry: Entry | None = None) -> dict:
    letters = settings.letters
    received = utc(item.received_at or item.created_at).astimezone(zone).date()
    authority = item.destination.split(" : ", 1)[-1] if item.destination_kind == "autre" else item.destination
    service = _contact(entry, letters.service_contacts.get(item.destination, {}))
    authority_contact = _contact(entry, letters.authority_contacts.get(authority, {}))
    if entry is not None and item.destination_kind in ("commune", "autre"):
        authority = entry.name
    if item.destination_kind == "commune" and not authority_contact.get("address"):
        authority_contact["address"] = f"Hôtel de ville, {authority.removeprefix('Mairie de ')}"
    implicit = Delay.parse(letters.implicit_decision_delay).after(received)
    return {
        "chrono": item.chrono, "channel": item.channel, "subject": item.subject, "sender": item.sender,
        "sender_email": item.sender_email, "salutation": "Madame, Monsieur",
        "received": long_date(received), "today": long_date(today), "implicit_date": long_date(implicit),
        "silence": "acceptation" if item.competence in letters.silence_accepts else "rejet",
        "service": (entry.name if entry else item.destination) or "Accueil et courrier", "service_address": service.get("address", letters.address),
        "service_email": service.get("email", letters.email), "service_phone": service.get("phone", letters.phone),
        "authority": authority, "authority_address": authority_contact.get("address", ""),
        "authority_email": authority_contact.get("email", ""), "organisation": letters.organisation,
        "organisation_address": letters.address, "organisation_email": letters.email, "signatory": letters.signatory,
        "due_date": item.due_date,
        # the date the sender wrote on the letter ("votre courrier du 14 mars 2025"), not the scan's
        "letter_date": _written(found.letter_date) if found and found.letter_date else "",
        "sender_postal": ", ".join(found.address_lines) if found and found.sender_postcode else "",
    }


def _contact(entry: Entry | None, configured: dict) -> dict:
    """The directory's details of the entry, each empty one taken from config's [letters] contacts."""
    mine = {"address": ", ".join(line.strip() for line in entry.address.splitlines() if line.strip()),
            "email": entry.email, "phone": entry.phone} if entry is not None else {}
    return {key: mine.get(key) or configured.get(key, "") for key in ("address", "email", "phone")
            if mine.get(key) or key in configured}


def _written(day: date) -> str:
    """A date as the sender wrote it, without the weekday: "1er mars 2026", "14 mars 2025"."""
    return f"{'1er' if day.day == 1 else day.day} {MONTHS[day.month - 1]} {day.year}"
