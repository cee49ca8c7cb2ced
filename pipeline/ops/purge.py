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
from sqlalchemy import String, cast, select, update
from sqlalchemy.orm import Session

from pipeline.config import Settings
from pipeline.errors import ConfigError
from pipeline.store.database import open_database
from pipeline.store.files import FileStore
from pipeline.store.schema import (ItemFileRow, ItemRow, ItemSourceRow, LetterRow, PredictionRow, QuarantineRow,
                                   ReviewEventRow)

DURATION = re.compile(r"^\s*(\d+)\s*(d|j|jours?|days?|w|sem|semaines?|weeks?|m|mois|months?|y|a|ans?|years?)\s*$",
                      re.IGNORECASE)
UNITS = {"d": "days", "j": "days", "w": "weeks", "s": "weeks", "m": "months", "y": "years", "a": "years"}
KEPT_STATUSES = ("to_review",)  # never purged: a clerk has not looked at it yet


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


def purge(settings: Settings, older_than: str, *, dry_run: bool = False, now: datetime | None = None) -> PurgeResult:
    """Anonymise items received before now − older_than that are no longer waiting for a clerk."""
    cutoff = (now or datetime.now(timezone.utc)) - parse_duration(older_than)
    result = PurgeResult(cutoff, dry_run)
    files = FileStore(settings.file_store_dir)
    sessions = open_database(settings.database_url)
    with sessions() as session:
        items = session.execute(select(ItemRow).where(
            ItemRow.purged_at.is_(None), ItemRow.status.not_in(KEPT_STATUSES), ItemRow.created_at < cutoff,
            ItemRow.received_at.is_(None) | (ItemRow.received_at < cutoff))).scalars().all()
        old_quarantine = session.execute(select(QuarantineRow).where(
            QuarantineRow.created_at < cutoff, QuarantineRow.filename != "")).scalars().all()
        ids = [item.id for item in items]
        digests = {d for d in session.execute(select(ItemFileRow.sha256).where(ItemFileRow.item_id.in_(ids))).scalars() if d}
        digests |= {d for d in session.execute(select(ItemSourceRow.sha256).where(ItemSourceRow.item_id.in_(ids)))
                    .scalars() if d}
        digests |= {item.sha256 for item in items} | {q.sha256 for q in old_quarantine}
        doomed = digests - _still_used(session, ids, {q.id for q in old_quarantine})
        result.items, result.quarantine = len(items), len(old_quarantine)
        letter_files = [p for p in session.execute(select(LetterRow.pdf_path).where(LetterRow.item_id.in_(ids))).scalars()]
        result.letters = len(letter_files)
        for digest in doomed:
            if files.exists(digest):
                result.files_removed += 1
                result.bytes_removed += files.path_for(digest).stat().st_size
        if dry_run:
            return result
        stamp = datetime.now(timezone.utc)
        for item in items:
            _anonymise(item, stamp)
        for entry in old_quarantine:
            entry.filename, entry.ref = "", ""
        _anonymise_children(session, ids)
        session.commit()  # the database first: a crash now leaves files without personal rows, never the reverse
    for digest in doomed:
        files.path_for(digest).unlink(missing_ok=True)
    for path in filter(None, letter_files):
        Path(path).unlink(missing_ok=True)
    return result


def _still_used(session: Session, purged_ids: list[int], purged_quarantine: set[int]) -> set[str]:
    """Digests that a kept item or quarantine entry still points to (the store is shared by content)."""
    kept = set(session.execute(select(ItemFileRow.sha256).where(ItemFileRow.item_id.not_in(purged_ids))).scalars())
    kept |= set(session.execute(select(ItemRow.sha256).where(ItemRow.id.not_in(purged_ids))).scalars())
    kept |= set(session.execute(select(ItemSourceRow.sha256).where(ItemSourceRow.item_id.not_in(purged_ids)))
                .scalars())
    kept |= set(session.execute(select(QuarantineRow.sha256).where(QuarantineRow.id.not_in(purged_quarantine)))
                .scalars())
    return kept


def _anonymise(item: ItemRow, stamp: datetime) -> None:
    item.sha256 = f"purge-{item.id}"  # unique, and no longer the fingerprint of a personal document
    item.message_id = None
    item.filename = item.sender = item.sender_email = item.subject = item.text = item.commune_evidence = ""
    item.urgent_reasons, item.review_reasons = [], []
    item.purged_at = stamp


def _anonymise_children(session: Session, ids: list[int]) -> None:
    session.execute(update(ItemFileRow).where(ItemFileRow.item_id.in_(ids))
                    .values(name="", text="", sha256=None, error=None))
    session.execute(update(PredictionRow).where(PredictionRow.item_id.in_(ids)).values(evidence=""))
    session.execute(update(ItemSourceRow).where(ItemSourceRow.item_id.in_(ids))
                    .values(ref=cast(ItemSourceRow.id, String), sha256=None))
    session.execute(update(ReviewEventRow).where(ReviewEventRow.item_id.in_(ids)).values(comment=""))
    session.execute(update(LetterRow).where(LetterRow.item_id.in_(ids))
                    .values(recipient="", recipient_email="", subject="", body="", pdf_path=""))
