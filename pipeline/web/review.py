"""A clerk's decision on an item: what it changes (status, destination, due date) and which action it is.

The rules are here, decided on the item as the clerk saw it; pipeline/store/review.py writes
the result only if nobody changed the item since (optimistic version check) and records the
review_event.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from zoneinfo import ZoneInfo

from pipeline.reference import HORS, Reference
from pipeline.route import destination as route_destination
from pipeline.routing_table import RoutingTable
from pipeline.status import ItemStatus
from pipeline.store import review as store
from pipeline.store.distribution import distribute
from pipeline.store.review import ReviewedItem

ACTIONS = {"confirm": "Confirmation", "correct": "Correction", "update": "Modification",
           "bulk_confirm": "Confirmation en lot", "handled": "Marqué traité", "reopen": "Rouvert",
           "comment": "Commentaire", "undo": "Annulation", "copy_added": "Copie ajoutée", "copy_removed": "Copie retirée",
           "transmitted": "Transmis à une autre administration"}


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
    administration: str = ""  # for a request another administration handles: which one (empty: as routed)
    due_date: date | None = None  # set by the clerk (None: as routed)


def destination(competence: str, commune: str | None, text: str, ctx: Context) -> tuple[str, str]:
    """(kind, destination) for a competence and a commune, decided as the pipeline decides them."""
    kind, where, _ = route_destination(competence, commune, text, ctx.table, ctx.reference)
    return kind, where


def due_date(item: ReviewedItem, competence: str, urgent: bool, ctx: Context) -> date:
    start = item.received_at.astimezone(ctx.zone).date() if item.received_at else date.today()
    return (ctx.table.urgent_delay if urgent else ctx.table.delay_for(competence)).after(start)


def validate(decision: Decision, ctx: Context) -> None:
    if decision.competence not in ctx.reference.competence_by_code:
        raise store.Refused("compétence inconnue")
    if decision.commune not in (None, HORS) and decision.commune not in ctx.reference.commune_by_insee:
        raise store.Refused("commune inconnue")
    if decision.administration and decision.administration not in {name for name, _ in ctx.table.administrations}:
        raise store.Refused("administration inconnue : choisissez-la dans la liste")


def decide(item: ReviewedItem, decision: Decision, ctx: Context) -> tuple[str, dict]:
    """(action, changed fields) of a confirmation or correction of this item."""
    if item.status == ItemStatus.HANDLED:
        raise store.Refused("cet élément a déjà été traité par le service : rouvrez-le d'abord")
    corrected = decision.competence != item.competence or decision.commune != item.commune
    reroute = corrected or decision.urgent != item.urgent
    changes = {"competence": decision.competence, "commune": decision.commune, "urgent": decision.urgent}
    if reroute:
        changes["destination_kind"], changes["destination"] = destination(decision.competence, decision.commune,
                                                                          item.text, ctx)
        changes["due_date"] = due_date(item, decision.competence, decision.urgent, ctx)
    _clerk_choices(item, decision, changes, ctx)
    reroute = reroute or any(changes.get(key) != getattr(item, key) for key in ("destination", "due_date")
                             if key in changes)
    if corrected:
        action, changes["status"] = "correct", ItemStatus.CORRECTED
    elif item.status in (ItemStatus.TO_REVIEW, ItemStatus.ROUTED):
        action, changes["status"] = "confirm", ItemStatus.CONFIRMED
    else:
        action = "update" if reroute else "comment"
    if action == "comment" and not decision.comment:
        # Enter on an item a colleague already settled (typically right after a conflict): nothing to
        # confirm again, and nothing is recorded under this clerk's name.
        action = "none"
    return action, changes


def _clerk_choices(item: ReviewedItem, decision: Decision, changes: dict, ctx: Context) -> None:
    """The administration and the due date the clerk set by hand win over the routing's."""
    handled_by = ctx.reference.competence(decision.competence).handled_by
    if decision.administration and handled_by == "autre":
        changes["destination_kind"] = "autre"
        changes["destination"] = ctx.table.services.get(decision.competence, "{administration}").format(
            administration=decision.administration)
    if decision.due_date and decision.due_date != item.due_date:
        changes["due_date"] = decision.due_date


def review(session, item_id: int, version: int, decision: Decision, user: str, ctx: Context) -> str:
    """Confirm or correct an item; returns the action recorded (confirm, correct, update, comment), or
    "none" when the item was already settled and nothing changes."""
    validate(decision, ctx)
    item = store.current(session, item_id, version)
    action, changes = decide(item, decision, ctx)
    if action == "none":
        return action
    store.record_review(session, item_id, version, changes, action, user, decision.comment)
    distribute(session, item_id, user)  # the principal destination follows the routing, with default copies
    return action
