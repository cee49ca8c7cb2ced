"""Retention: remove the originals and the personal data of items handed over long ago.

What stays is anonymous: registration number, channel, dates, competence, commune, status,
urgency, due date, destination, model version and confidence, so the statistics (status, the
report, the export) still count them. What goes: sender, subject, text, file names, evidence,
source references, comments and the letters' text; originals leave the file store unless a
newer item or an open quarantine entry still uses the same bytes. Quarantine entries older
than the limit lose their raw bytes and file name too.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from dateutil.relativedelta import relativedelta

from pipeline.config import Settings
from pipeline.errors import ConfigError
from pipeline.store.files import FileStore
from pipeline.store.purge import anonymise, plan_purge

DURATION = re.compile(r"^\s*(\d+)\s*(d|j|jours?|days?|w|sem|semaines?|weeks?|m|mois|months?|y|a|ans?|years?)\s*$",
                      re.IGNORECASE)
UNITS = {"d": "days", "j": "days", "w": "weeks", "s": "weeks", "m": "months", "y": "years", "a": "years"}


@dataclass
class PurgeResult:
    cutoff: datetime
    dry_run: bool
    items: int = 0
    files_removed: int = 0
    bytes_removed: int = 0
    quarantine: int = 0
    letters: int = 0


def parse_duration(text: str) -> relativedelta:
    """'2y', '18 mois', '90d', '6w' → a relative delta; ConfigError when unreadable."""
    match = DURATION.match(text or "")
    if not match or int(match.group(1)) == 0:
        raise ConfigError(f"durée illisible : {text!r}", hint="par ex. 90d, 6w, 18m, 2y (jours, semaines, mois, ans)")
    unit = match.group(2).lower()
    unit = "months" if unit.startswith(("mo", "m")) else UNITS.get(unit[0], "days")
    return relativedelta(**{unit: int(match.group(1))})


def purge(settings: Settings, database, older_than: str, *, dry_run: bool = False,
          now: datetime | None = None) -> PurgeResult:
    """Anonymise items received before now − older_than that are no longer waiting for a clerk."""
    cutoff = (now or datetime.now(timezone.utc)) - parse_duration(older_than)
    files = FileStore(settings.file_store_dir)
    plan = plan_purge(database, cutoff)
    result = PurgeResult(cutoff, dry_run, items=len(plan.item_ids), quarantine=len(plan.quarantine_ids),
                         letters=len(plan.letter_files))
    for digest in plan.doomed_digests:
        if files.exists(digest):
            result.files_removed += 1
            result.bytes_removed += files.path_for(digest).stat().st_size
    if dry_run:
        return result
    anonymise(database, plan, datetime.now(timezone.utc))
    # The database first: a crash now leaves files without personal rows, never the reverse.
    for digest in plan.doomed_digests:
        files.path_for(digest).unlink(missing_ok=True)
    for path in filter(None, plan.letter_files):
        Path(path).unlink(missing_ok=True)
    return result
