"""A service's basket ("Ma corbeille") and what the service does with an item.

Lines come from `item_destination` rows of the entries an account reads (pipeline/store/access.py).
Actions write on the destination row, and on the item when the routing is affected: the principal's
"répondu" makes the item handled, a "réorienté" sends it back to the clerks' queue with the reason.
Item changes go through the review module's version check and audit trail.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import and_, case, func, select
from sqlalchemy.orm import Session

from pipeline.status import SETTLED, ItemStatus
from pipeline.store import search
from pipeline.store.access import destinations_of
# The review module's own loading and recording: the same version check and audit trail as the clerks'.
from pipeline.store.review import Refused, _load, _record, now, snapshot
from pipeline.store.schema import DirectoryEntryRow, ItemDestinationRow, ItemRow, ReviewEventRow

D = ItemDestinationRow
TABS = {
    "a-traiter": and_(D.role == "principal", D.taken_at.is_(None), D.answered_at.is_(None)),
    "en-copie": D.role == "copy",
    "pris-en-charge": and_(D.role == "principal", D.taken_at.is_not(None), D.answered_at.is_(None)),
    "repondu": and_(D.role == "principal", D.answered_at.is_not(None)),
}
ANSWER_CHANNELS = {"courrier": "Courrier", "email": "Courriel", "telephone": "Téléphone", "sur_place": "Sur place"}
# The service's bookkeeping: it labels nothing for training ("redirected" does: the routing was wrong).
BOOKKEEPING = ("taken", "seen", "answered")
ACTIONS = {"taken": "Pris en charge par le service", "answered": "Réponse enregistrée par le service",
           "redirected": "Réorienté par le service", "seen": "Copie lue par le service"}


@dataclass(frozen=True)
class BasketLine:
    item_id: int
    chrono: str
    subject: str
    sender: str
    received_at: datetime | None
    due_date: date | None
    urgent: bool
    status: str
    role: str
    entry_name: str
    taken_at: datetime | None
    taken_by: str
    answered_at: datetime | None
    answer_date: date | None
    answer_channel: str


@dataclass(frozen=True)
class Destination:
    """Where an item went and what that service did with it."""

    entry_id: int
    entry_name: str
    entry_kind: str
    role: str
    added_at: datetime
    taken_at: datetime | None
    taken_by: str
    answered_at: datetime | None
    answer_date: date | None
    answer_channel: str
    answered_by: str
    answer_note: str
    redirected_at: datetime | None
    redirected_by: str
    redirect_reason: str


def counts(session: Session, entry_ids: list[int]) -> dict[str, int]:
    """Lines per tab, in one pass."""
    columns = [func.coalesce(func.sum(case((condition, 1), else_=0)), 0) for condition in TABS.values()]
    row = session.execute(select(*columns).where(destinations_of(entry_ids))).one()
    return dict(zip(TABS, (int(value) for value in row)))


def lines(session: Session, entry_ids: list[int], tab: str, number: int, size: int,
          query: str = "", search_mode: str = "") -> tuple[list[BasketLine], bool]:
    """One page of a tab (or, with `query`, of every line matching it); returns (lines, more after)."""
    matched = search.condition(search_mode, query) if query else None  # None: no word to look for
    where = [destinations_of(entry_ids), TABS[tab] if matched is None else matched]
    order = (D.answered_at.desc(), ItemRow.id.desc()) if tab == "repondu" and matched is None else \
        (ItemRow.urgent.desc(), ItemRow.due_date.asc(), ItemRow.id.asc())
    rows = session.execute(
        select(ItemRow.id, ItemRow.chrono, ItemRow.subject, ItemRow.sender, ItemRow.received_at, ItemRow.due_date,
               ItemRow.urgent, ItemRow.status, D.role, DirectoryEntryRow.name, D.taken_at, D.taken_by,
               D.answered_at, D.answer_date, D.answer_channel)
        .join(D, D.item_id == ItemRow.id).join(DirectoryEntryRow, DirectoryEntryRow.id == D.entry_id)
        .where(*where).order_by(*order).offset((number - 1) * size).limit(size + 1)).all()
    return [BasketLine(*row) for row in rows[:size]], len(rows) > size


def destinations(session: Session, item_id: int) -> list[Destination]:
    """Every destination of an item, principal first."""
    rows = session.execute(select(D, DirectoryEntryRow.name, DirectoryEntryRow.kind)
                           .join(DirectoryEntryRow, DirectoryEntryRow.id == D.entry_id)
                           .where(D.item_id == item_id).order_by(D.role.desc(), D.id)).all()
    return [_destination(row, name, kind) for row, name, kind in rows]


def _destination(row: ItemDestinationRow, name: str, kind: str) -> Destination:
    return Destination(row.entry_id, name, kind, row.role, row.added_at, row.taken_at, row.taken_by, row.answered_at,
                       row.answer_date, row.answer_channel, row.answered_by, row.answer_note, row.redirected_at,
                       row.redirected_by, row.redirect_reason)


def _live_row(session: Session, item_id: int, entry_ids: list[int]) -> ItemDestinationRow | None:
    return session.execute(select(D).where(D.item_id == item_id, destinations_of(entry_ids))
                           .order_by(D.role.desc(), D.id).limit(1)).scalar()


def mine(session: Session, item_id: int, entry_ids: list[int]) -> Destination | None:
    """This account's destination of the item (its principal one when it has both)."""
    row = _live_row(session, item_id, entry_ids)
    if row is None:
        return None
    entry = session.get(DirectoryEntryRow, row.entry_id)
    return _destination(row, entry.name, entry.kind)


def _principal(session: Session, item_id: int, entry_ids: list[int]) -> ItemDestinationRow:
    row = _live_row(session, item_id, entry_ids)
    if row is None:
        raise Refused("cet élément n'est pas (ou plus) dans votre corbeille")
    if row.role != "principal":
        raise Refused("vous l'avez reçu en copie : seul le service destinataire principal peut agir")
    if row.answered_at is not None:
        raise Refused("la réponse est déjà enregistrée")
    return row


def _event(session: Session, item_id: int, action: str, user: str, comment: str) -> None:
    """An audit line that changes no tracked field (the item keeps its version)."""
    session.add(ReviewEventRow(item_id=item_id, user=user, at=now(), action=action, before={}, after={},
                               comment=comment[:5000]))


def _stamp(session: Session, row: ItemDestinationRow, action: str, user: str) -> bool:
    """Record who took (or, for a copy, read) the item; False when someone already had (nothing written)."""
    if row.taken_at is not None:
        session.rollback()
        return False
    row.taken_at, row.taken_by = now(), user
    _event(session, row.item_id, action, user, session.get(DirectoryEntryRow, row.entry_id).name)
    session.commit()
    return True


def take(session: Session, item_id: int, entry_ids: list[int], user: str) -> bool:
    """"Pris en charge"; False when it already was."""
    return _stamp(session, _principal(session, item_id, entry_ids), "taken", user)


def mark_seen(session: Session, item_id: int, entry_ids: list[int], user: str) -> bool:
    """A copy read ("vu"), kept in the copy's taken_at/by; False when it already was."""
    row = _live_row(session, item_id, entry_ids)
    if row is None or row.role != "copy":
        raise Refused("seule une copie peut être marquée comme lue")
    return _stamp(session, row, "seen", user)


def answer(session: Session, item_id: int, version: int, entry_ids: list[int], user: str, *, on: date,
           channel: str, note: str = "", today: date) -> str:
    """"Répondu": the answer's date and channel; the item becomes handled. Returns its chrono."""
    if channel not in ANSWER_CHANNELS:
        raise Refused("choisissez comment la réponse a été faite (courrier, courriel, téléphone, sur place)")
    if on > today:
        raise Refused("la date de réponse ne peut pas être dans le futur")
    item = _load(session, item_id, version)
    row = _principal(session, item_id, entry_ids)
    if item.status not in (*SETTLED, ItemStatus.HANDLED):
        session.rollback()
        raise Refused("cet élément est revenu à l'équipe du courrier")
    at = now()
    row.taken_at, row.taken_by = row.taken_at or at, row.taken_by or user
    row.answered_at, row.answer_date, row.answer_channel = at, on, channel
    row.answered_by, row.answer_note = user, note.strip()[:1000]
    before = snapshot(item)
    item.status = ItemStatus.HANDLED
    entry = session.get(DirectoryEntryRow, row.entry_id).name
    _record(session, item, before, "answered", user,
            f"{entry} : réponse du {on.strftime('%d/%m/%Y')} ({ANSWER_CHANNELS[channel].lower()})"
            + (f" — {note.strip()}" if note.strip() else ""))
    return item.chrono


def redirect(session: Session, item_id: int, version: int, entry_ids: list[int], user: str, reason: str) -> str:
    """"Réorienté": back to the clerks' queue with the reason; the destination keeps the history."""
    reason = " ".join(reason.split())[:900]
    if not reason:
        raise Refused("indiquez pourquoi l'élément n'est pas pour votre service")
    item = _load(session, item_id, version)
    row = _principal(session, item_id, entry_ids)
    entry = session.get(DirectoryEntryRow, row.entry_id).name
    row.redirected_at, row.redirected_by, row.redirect_reason = now(), user, reason
    before = snapshot(item)
    item.status = ItemStatus.TO_REVIEW
    item.review_reasons = [*(item.review_reasons or []), f"Réorienté par {entry} : {reason}"]
    _record(session, item, before, "redirected", user, f"{entry} : {reason}")
    return item.chrono


def withdraw_answers(session: Session, item_id: int) -> str:
    """A clerk reopens an answered item: each recorded answer is cleared (the taking too when only the answer
    implied it), without committing; returns what was withdrawn, for the reopening's audit line."""
    withdrawn = []
    for row, name in session.execute(select(D, DirectoryEntryRow.name)
                                     .join(DirectoryEntryRow, DirectoryEntryRow.id == D.entry_id)
                                     .where(D.item_id == item_id, D.answered_at.is_not(None)).order_by(D.id)).all():
        on = row.answer_date or row.answered_at.date()
        withdrawn.append(f"{name} : réponse du {on.strftime('%d/%m/%Y')} "
                         f"({ANSWER_CHANNELS.get(row.answer_channel, row.answer_channel).lower()}) enregistrée par "
                         f"{row.answered_by or '?'}" + (f" — {row.answer_note}" if row.answer_note else ""))
        if row.taken_at == row.answered_at and row.taken_by == row.answered_by:
            row.taken_at, row.taken_by = None, ""
        row.answered_at, row.answer_date, row.answer_channel, row.answered_by, row.answer_note = None, None, "", "", ""
    return ("Réponse retirée : " + " ; ".join(withdrawn)) if withdrawn else ""
