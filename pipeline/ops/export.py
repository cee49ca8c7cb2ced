"""`triage export`: items to CSV for the services that work in a spreadsheet.

Excel-friendly (UTF-8 with BOM, semicolons, dates as JJ/MM/AAAA); a cell a spreadsheet would
read as a formula (=, +, -, @ from a sender's subject) is prefixed with an apostrophe.
"""
from __future__ import annotations

import csv
import sys
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import TextIO
from zoneinfo import ZoneInfo

from sqlalchemy import func, select

from pipeline.config import Settings
from pipeline.reference import load_reference
from pipeline.report.data import CHANNELS_FR, OPEN_STATUSES, STATUS_FR, day_window, utc
from pipeline.store.database import open_database
from pipeline.store.schema import ItemRow

COLUMNS = ("N° chrono", "Reçu le", "Canal", "Expéditeur", "Courriel", "Objet", "Statut", "Compétence", "Commune",
           "Destination", "Urgent", "Échéance", "En retard", "Confiance")
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


@dataclass
class ExportFilters:
    """The review queue's filters: status, competence, commune, channel, dates, urgent, overdue."""

    status: list[str] | None = None
    competence: str | None = None
    commune: str | None = None  # INSEE code or name
    channel: str | None = None
    since: date | None = None  # received on or after
    until: date | None = None  # received on or before
    urgent: bool = False
    overdue: bool = False


def export_items(settings: Settings, filters: ExportFilters, out: Path | None = None) -> int:
    """Write the matching items as CSV to `out` (stdout when None); return how many."""
    if out is None:
        return write_csv(settings, filters, sys.stdout)
    out.parent.mkdir(parents=True, exist_ok=True)
    with out.open("w", encoding="utf-8-sig", newline="") as handle:
        return write_csv(settings, filters, handle)


def write_csv(settings: Settings, filters: ExportFilters, handle: TextIO) -> int:
    zone = ZoneInfo(settings.timezone)
    reference = load_reference(settings.reference_dir)
    labels = {c.code: c.label for c in reference.competences}
    today = datetime.now(zone).date()
    writer = csv.writer(handle, delimiter=";", quoting=csv.QUOTE_MINIMAL)
    writer.writerow(COLUMNS)
    count = 0
    sessions = open_database(settings.database_url)
    with sessions() as session:
        for row in session.execute(_query(filters, reference, zone, today)).scalars():
            received = utc(row.received_at or row.created_at).astimezone(zone)
            late = (row.due_date is not None and row.due_date < today and row.status in OPEN_STATUSES)
            writer.writerow([_safe(v) for v in (
                row.chrono, received.strftime("%d/%m/%Y %H:%M"), CHANNELS_FR.get(row.channel, row.channel),
                row.sender, row.sender_email, row.subject, STATUS_FR.get(row.status, row.status),
                labels.get(row.competence or "", row.competence or ""), reference.commune_name(row.commune),
                row.destination, "oui" if row.urgent else "non",
                row.due_date.strftime("%d/%m/%Y") if row.due_date else "", "oui" if late else "non",
                f"{row.confidence:.0%}" if row.confidence is not None else "")])
            count += 1
    return count


def _query(filters: ExportFilters, reference, zone: ZoneInfo, today: date):
    query = select(ItemRow).order_by(ItemRow.chrono)
    if filters.status:
        query = query.where(ItemRow.status.in_(filters.status))
    if filters.competence:
        query = query.where(ItemRow.competence == filters.competence)
    if filters.commune:
        by_name = {c.name.casefold(): c.insee for c in reference.communes}
        query = query.where(ItemRow.commune == by_name.get(filters.commune.casefold(), filters.commune))
    if filters.channel:
        query = query.where(ItemRow.channel == filters.channel)
    received = func.coalesce(ItemRow.received_at, ItemRow.created_at)
    if filters.since:
        query = query.where(received >= day_window(filters.since, zone)[0])
    if filters.until:
        query = query.where(received < day_window(filters.until, zone)[1])
    if filters.urgent:
        query = query.where(ItemRow.urgent.is_(True))
    if filters.overdue:
        query = query.where(ItemRow.due_date < today, ItemRow.status.in_(OPEN_STATUSES))
    return query


def _safe(value) -> str:
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_START) else text

