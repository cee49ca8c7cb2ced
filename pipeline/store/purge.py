"""The purge's SQL: which items and quarantine entries are old enough, which stored originals nothing
else uses, and the anonymisation itself. The file store is handled by pipeline/ops/purge.py.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import String, cast, select, update
from sqlalchemy.orm import Session

from pipeline.status import ItemStatus
from pipeline.store.schema import (ItemFileRow, ItemRow, ItemSourceRow, LetterRow, PredictionRow, QuarantineRow,
                                   ReviewEventRow)

KEPT_STATUSES = (ItemStatus.TO_REVIEW,)  # never purged: a clerk has not looked at it yet


@dataclass
class PurgePlan:
    """What a purge with this cutoff would anonymise, and which originals it frees."""

    item_ids: list[int] = field(default_factory=list)
    quarantine_ids: list[int] = field(default_factory=list)
    doomed_digests: set[str] = field(default_factory=set)
    letter_files: list[str] = field(default_factory=list)


def plan_purge(database, cutoff: datetime) -> PurgePlan:
    with database() as session:
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
        quarantine_ids = [q.id for q in old_quarantine]
        return PurgePlan(ids, quarantine_ids, digests - _still_used(session, ids, set(quarantine_ids)),
                         list(session.execute(select(LetterRow.pdf_path).where(LetterRow.item_id.in_(ids))).scalars()))


def anonymise(database, plan: PurgePlan, stamp: datetime) -> None:
    """Remove the personal data of the planned items and quarantine entries, in one transaction."""
    with database() as session:
        for item in session.execute(select(ItemRow).where(ItemRow.id.in_(plan.item_ids))).scalars():
            _anonymise(item, stamp)
        session.execute(update(QuarantineRow).where(QuarantineRow.id.in_(plan.quarantine_ids))
                        .values(filename="", ref=""))
        _anonymise_children(session, plan.item_ids)
        session.commit()


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
