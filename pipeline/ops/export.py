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
from pipeline.reference import load_reference
from pipeline.status import OPEN, label
from pipeline.store.statistics import CHANNELS_FR, ExportFilters, exported_items

__all__ = ["ExportFilters", "export_items", "write_csv"]

COLUMNS = ("N° chrono", "Reçu le", "Canal", "Expéditeur", "Courriel", "Objet", "Statut", "Compétence", "Commune",
           "Destination", "Urgent", "Échéance", "En retard", "Confiance")
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
    if filters.commune:  # the clerk may type the commune's name
        by_name = {c.name.casefold(): c.insee for c in reference.communes}
        filters.commune = by_name.get(filters.commune.casefold(), filters.commune)
    writer = csv.writer(handle, delimiter=";", quoting=csv.QUOTE_MINIMAL)
    writer.writerow(COLUMNS)
    items = exported_items(database, filters, zone, today)
    for item in items:
        late = item.due_date is not None and item.due_date < today and item.status in OPEN
        writer.writerow([_safe(v) for v in (
            item.chrono, item.received.astimezone(zone).strftime("%d/%m/%Y %H:%M"),
            CHANNELS_FR.get(item.channel, item.channel), item.sender, item.sender_email, item.subject,
            label(item.status), labels.get(item.competence or "", item.competence or ""),
            reference.commune_name(item.commune), item.destination, "oui" if item.urgent else "non",
            item.due_date.strftime("%d/%m/%Y") if item.due_date else "", "oui" if late else "non",
            f"{item.confidence:.0%}" if item.confidence is not None else "")])
    return len(items)


def _safe(value) -> str:
    """Prefix with an apostrophe every comma- or semicolon-separated piece a spreadsheet would read as a formula."""
    text = "" if value is None else str(value)
    return PIECE_START.sub(lambda m: f"{m.group(1)}{m.group(2)}'", text)
