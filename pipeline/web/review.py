"""What clerks and services do to an item, each change a `review_event` (who, when, before, after).

Optimistic locking: every form carries the item version the clerk saw. A different version in
the database means someone else changed the item meanwhile: nothing is written and `Conflict`
tells who and when. The UPDATE itself is guarded by the version too (SQLAlchemy's
version_id_col), so two clerks submitting at the same instant cannot both win.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timezone
from zoneinfo import ZoneInfo

from sqlalchemy import select, update
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from pipeline.reference import HORS, Reference
from pipeline.route import destination as route_destination
from pipeline.routing_table import RoutingTable
from pipeline.store.schema import ItemRow, ReviewEventRow

TRACKED = ("status", "competence", "commune", "urgent", "destination", "destination_kind", "due_date")
OPEN_STATUSES = ("routed", "confirmed", "corrected")  # routed to a service, not yet handled
ACTIONS = {"confirm": "Confirmation", "correct": "Correction", "update": "Modification",
           "bulk_confirm": "Confirmation en lot", "handled": "Marqué traité", "reopen": "Rouvert",
           "comment": "Commentaire"}
BULK_LIMIT = 1000


class Conflict(Exception):
    """The item changed since the clerk opened it; `event` says by whom (None if unknown)."""

    def __init__(self, row: ItemRow | None, event: ReviewEventRow | None):
        super().__init__("conflit de version")
        self.row, self.event = row, event


class Refused(Exception):
    """The change makes no sense for this item (French reason)."""


@dataclass(frozen=True)
class Context:
    """What a change needs to know besides the item: reference data, routing table, time zone."""

    reference: Reference
    table: RoutingTable
    zone: ZoneInfo


@dataclass(frozen=True)
class Decision:
    competence: str
    commune: str | None  # INSEE, HORS or None
    urgent: bool
    comment: str = ""


def now() -> datetime:
    return datetime.now(timezone.utc)


def snapshot(row: ItemRow) -> dict:
    values = {name: getattr(row, name) for name in TRACKED}
    values["due_date"] = values["due_date"].isoformat() if values["due_date"] else None
    return values


def _diff(before: dict, after: dict) -> tuple[dict, dict]:
    changed = [k for k in TRACKED if before.get(k) != after.get(k)]
    return {k: before.get(k) for k in changed}, {k: after.get(k) for k in changed}


def last_event(session: Session, item_id: int) -> ReviewEventRow | None:
    return session.execute(select(ReviewEventRow).where(ReviewEventRow.item_id == item_id)
                           .order_by(ReviewEventRow.at.desc(), ReviewEventRow.id.desc()).limit(1)).scalar()


def _load(session: Session, item_id: int, version: int) -> ItemRow:
    row = session.get(ItemRow, item_id, populate_existing=True)
    if row is None:
        raise Refused("élément introuvable")
    if row.version != version:
        raise Conflict(row, last_event(session, item_id))
    return row


def _commit(session: Session, row: ItemRow) -> None:
    try:
        session.commit()
    except StaleDataError:  # someone committed between our read and our write
        session.rollback()
        fresh = session.get(ItemRow, row.id, populate_existing=True)
        raise Conflict(fresh, last_event(session, row.id) if fresh else None) from None


def destination(competence: str, commune: str | None, text: str, ctx: Context) -> tuple[str, str]:
    """(kind, destination) for a competence and a commune, decided as the pipeline decides them."""
    kind, where, _ = route_destination(competence, commune, text, ctx.table, ctx.reference)
    return kind, where


def due_date(row: ItemRow, competence: str, urgent: bool, ctx: Context) -> date:
    start = row.received_at.astimezone(ctx.zone).date() if row.received_at else date.today()
    return (ctx.table.urgent_delay if urgent else ctx.table.delay_for(competence)).after(start)


def validate(decision: Decision, ctx: Context) -> None:
    if decision.competence not in ctx.reference.competence_by_code:
        raise Refused("compétence inconnue")
    if decision.commune not in (None, HORS) and decision.commune not in ctx.reference.commune_by_insee:
        raise Refused("commune inconnue")


def review(session: Session, item_id: int, version: int, decision: Decision, user: str, ctx: Context) -> str:
    """Confirm or correct an item; returns the action recorded (confirm, correct or update)."""
    validate(decision, ctx)
    row = _load(session, item_id, version)
    if row.status == "handled":
        raise Refused("cet élément a déjà été traité par le service : rouvrez-le d'abord")
    before = snapshot(row)
    corrected = decision.competence != row.competence or decision.commune != row.commune
    reroute = corrected or decision.urgent != row.urgent
    row.competence, row.commune, row.urgent = decision.competence, decision.commune, decision.urgent
    if reroute:
        row.destination_kind, row.destination = destination(decision.competence, decision.commune, row.text, ctx)
        row.due_date = due_date(row, decision.competence, decision.urgent, ctx)
    if corrected:
        action, row.status = "correct", "corrected"
    elif row.status in ("to_review", "routed"):
        action, row.status = "confirm", "confirmed"
    else:
        action = "update" if reroute else "comment"
    if action == "comment" and not decision.comment:
        action = "confirm"  # confirming again what was already confirmed: still worth a trace
    old, new = _diff(before, snapshot(row))
    session.add(ReviewEventRow(item_id=row.id, user=user, at=now(), action=action, before=old, after=new,
                               comment=decision.comment[:5000]))
    _commit(session, row)
    return action


def set_handled(session: Session, item_id: int, version: int, user: str, handled: bool = True) -> None:
    """A service marks an item handled (or reopens it after a mistaken click)."""
    row = _load(session, item_id, version)
    before = snapshot(row)
    if handled:
        if row.status not in OPEN_STATUSES:
            raise Refused("seul un élément routé, confirmé ou corrigé peut être marqué traité")
        row.status = "handled"
    else:
        if row.status != "handled":
            raise Refused("cet élément n'est pas marqué traité")
        previous = session.execute(select(ReviewEventRow.before).where(
            ReviewEventRow.item_id == item_id, ReviewEventRow.action == "handled")
            .order_by(ReviewEventRow.at.desc(), ReviewEventRow.id.desc()).limit(1)).scalar()
        row.status = (previous or {}).get("status") or "confirmed"
    old, new = _diff(before, snapshot(row))
    session.add(ReviewEventRow(item_id=row.id, user=user, at=now(), action="handled" if handled else "reopen",
                               before=old, after=new))
    _commit(session, row)


def bulk_confirm(session: Session, where: list, threshold: float, user: str) -> tuple[int, int]:
    """Confirm the items to review of a view whose confidence reaches the threshold.

    Returns (confirmed, left over the per-click limit). Each row is updated only if it is still
    to review, so an item another clerk just corrected is left alone.
    """
    candidates = select(ItemRow.id).where(*where, ItemRow.status == "to_review", ItemRow.confidence >= threshold)
    ids = list(session.execute(candidates.order_by(ItemRow.id).limit(BULK_LIMIT + 1)).scalars())
    left = max(0, len(ids) - BULK_LIMIT)
    ids = ids[:BULK_LIMIT]
    table = ItemRow.__table__
    done = []
    for start in range(0, len(ids), 200):
        chunk = ids[start:start + 200]
        done += session.execute(update(table).where(table.c.id.in_(chunk), table.c.status == "to_review")
                                .values(status="confirmed", version=table.c.version + 1)
                                .returning(table.c.id)).scalars().all()
    at = now()
    if done:
        session.execute(ReviewEventRow.__table__.insert(), [
            {"item_id": item_id, "user": user, "at": at, "action": "bulk_confirm", "before": {"status": "to_review"},
             "after": {"status": "confirmed"}, "comment": f"confiance ≥ {threshold * 100:.0f} %"} for item_id in done])
    session.commit()
    return len(done), left
