"""The "Services et mairies" page in the database: what each service and town hall received."""
from __future__ import annotations

from collections import defaultdict

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from pipeline.status import SETTLED, ItemStatus
from pipeline.store.queue import Page, list_page
from pipeline.store.schema import ItemRow

ROUTED = (*SETTLED, ItemStatus.HANDLED)  # what a service or town hall has received


def counts(session: Session) -> tuple[dict, dict]:
    """Open and handled counts per metropolitan competence and per town hall, in one pass (covering index)."""
    by_competence: dict[str, dict[str, int]] = defaultdict(lambda: {"open": 0, "handled": 0})
    by_commune: dict[str, dict[str, int]] = defaultdict(lambda: {"open": 0, "handled": 0})
    rows = session.execute(select(ItemRow.destination_kind, ItemRow.competence, ItemRow.commune, ItemRow.status,
                                  func.count()).where(ItemRow.status.in_(ROUTED))
                           .group_by(ItemRow.status, ItemRow.destination_kind, ItemRow.competence, ItemRow.commune))
    for kind, competence, commune, status, count in rows:
        bucket = by_commune[commune] if kind == "commune" else by_competence[competence]
        bucket["handled" if status == ItemStatus.HANDLED else "open"] += count
    return by_competence, by_commune


def _received(handled: bool) -> list:
    return [ItemRow.status == ItemStatus.HANDLED] if handled else [ItemRow.status.in_(SETTLED)]


def service_page(session: Session, competence: str, handled: bool, number: int, size: int) -> Page:
    """What a metropolitan service received for this competence (open, or handled)."""
    where = [ItemRow.competence == competence, ItemRow.destination_kind != "commune", *_received(handled)]
    return list_page(session, where, number, size)


def town_hall_page(session: Session, insee: str, handled: bool, number: int, size: int) -> Page:
    """What a commune's town hall received (requests of communal competence)."""
    where = [ItemRow.commune == insee, ItemRow.destination_kind == "commune", *_received(handled)]
    return list_page(session, where, number, size)
