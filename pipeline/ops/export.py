"""`triage export`: items to CSV for the services that work in a spreadsheet.

Excel-friendly (UTF-8 with BOM, semicolons, dates as JJ/MM/AAAA); a cell a spreadsheet would
read as a formula (=, +, -, @, tab, CR from a sender's subject), even after a comma or a semicolon
inside the cell, is prefixed with an apostrophe.
"""
from __future__ import annotations

import csv
import re
import sys
from datetime import datetime
from pathlib import Path
from typing import TextIO
from zoneinfo import ZoneInfo

from pipeline.config import Settings
from pipeline.errors import NotFoundError
from pipeline.reference import load_reference
from pipeline.status import OPEN, ItemStatus, label
from pipeline.store.registration import registrations_by_chrono
from pipeline.store.statistics import CHANNELS_FR, ExportFilters, exported_items
from pipeline.understand.nlp import fold

__all__ = ["ExportFilters", "export_items", "write_csv"]

COLUMNS = ("N° chrono", "Reçu le", "Canal", "Expéditeur", "Courriel", "Objet", "Statut", "Compétence", "Commune",
           "Destination", "Urgent", "Échéance", "En retard", "Confiance",
           "Fichier", "Suite de", "Adresse", "Code postal", "Ville", "Téléphone", "Référence expéditeur",
           "Date du courrier")
# A spreadsheet may split a cell again on commas or semicolons (pasting, "text to columns", a
# re-import with another separator): each piece that starts a formula is neutralised, not only the first.
PIECE_START = re.compile(r"(^|[,;])( *)(?=[=+\-@\t\r])")


def export_items(settings: Settings, database, filters: ExportFilters, out: Path | None = None) -> int:
    """Write the matching items as CSV to `out` (stdout when None); return how many."""
    if out is None:
        return write_csv(settings, database, filters, sys.stdout)
    out.parent.mkdir(parents=True, exist_ok=True)
    with out.open("w", encoding="utf-8-sig", newline="") as handle:
        return write_csv(settings, database, filters, handle)


def write_csv(settings: Settings, database, filters: ExportFilters, handle: TextIO) -> int:
    zone = ZoneInfo(settings.timezone)
    reference = load_reference(settings.reference_dir)
    labels = {c.code: c.label for c in reference.competences}
    today = datetime.now(zone).date()
    resolve_filters(filters, reference)
    writer = csv.writer(handle, delimiter=";", quoting=csv.QUOTE_MINIMAL)
    writer.writerow(COLUMNS)
    items = exported_items(database, filters, zone, today)
    registered = registrations_by_chrono(database, [item.chrono for item in items])
    for item in items:
        late = item.due_date is not None and item.due_date < today and item.status in OPEN
        found = registered.get(item.chrono)
        writer.writerow([_safe(v) for v in (
            item.chrono, item.received.astimezone(zone).strftime("%d/%m/%Y %H:%M"),
            CHANNELS_FR.get(item.channel, item.channel), item.sender, item.sender_email, item.subject,
            label(item.status), labels.get(item.competence or "", item.competence or ""),
            reference.commune_name(item.commune), item.destination, "oui" if item.urgent else "non",
            item.due_date.strftime("%d/%m/%Y") if item.due_date else "", "oui" if late else "non",
            f"{item.confidence:.0%}" if item.confidence is not None else "",
            *_registration_cells(found))])
    return len(items)


def _registration_cells(found) -> list[str]:
    if found is None:
        return [""] * 8
    return [found.message_id if found.channel == "email" and found.message_id else found.filename,
            found.followup_chrono or "", " / ".join(found.sender_address.splitlines()), found.sender_postcode,
            found.sender_town, found.sender_phone, found.sender_reference,
            found.letter_date.strftime("%d/%m/%Y") if found.letter_date else ""]


def _key(text: str) -> str:
    """What is compared in a filter value: accents, case, spaces and dashes aside ("À vérifier" = "a-verifier")."""
    return "".join(fold(text).replace("_", " ").split())


def _resolve(value: str, choices: dict[str, str], what: str) -> str:
    """The stored code for a value a user typed (the code or the label they see), or a French error."""
    wanted = _key(value)
    for code, shown in choices.items():
        if wanted in (_key(code), _key(shown)):
            return code
    valid = ", ".join(f"« {shown} »" for shown in choices.values())
    raise NotFoundError(f"{what} inconnu(e) : « {value} ». Valeurs possibles : {valid}")


def resolve_filters(filters: ExportFilters, reference) -> ExportFilters:
    """Status, competence, commune and channel as users write them (labels or codes, any accents or case)."""
    if filters.status:
        filters.status = [_resolve(s, {status.value: status.label for status in ItemStatus}, "statut")
                          for s in filters.status]
    if filters.competence:
        filters.competence = _resolve(filters.competence, {c.code: c.label for c in reference.competences},
                                      "compétence")
    if filters.commune:  # the clerk may type the commune's name
        communes = {c.insee: c.name for c in reference.communes} | {"HORS": "Hors territoire"}
        filters.commune = _resolve(filters.commune, communes, "commune")
    if filters.channel:
        channels = dict(CHANNELS_FR)
        wanted = _key(filters.channel)
        filters.channel = "courrier" if wanted in ("papier", "lettre") else \
            "email" if wanted in ("courriel", "mail", "e mail") else _resolve(filters.channel, channels, "canal")
    return filters


def _safe(value) -> str:
    """Prefix with an apostrophe every comma- or semicolon-separated piece a spreadsheet would read as a formula."""
    text = "" if value is None else str(value)
    return PIECE_START.sub(lambda m: f"{m.group(1)}{m.group(2)}'", text)
