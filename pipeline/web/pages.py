"""Rendering pages: the Jinja2 environment, French formatting filters, and the common context."""
from __future__ import annotations

from datetime import date, datetime, timezone
from pathlib import Path

from fastapi import Request
from fastapi.templating import Jinja2Templates

from pipeline.status import ItemStatus
from pipeline.status import label as status_label
from pipeline.web.auth import csrf_token, pop_flashes
from pipeline.web.queue import CHANNELS, STATUS_TABS, display_subject
from pipeline.web.review import ACTIONS
from pipeline.web.wording import clerk_reason

templates = Jinja2Templates(directory=Path(__file__).parent / "templates")
ROLES = {"agent": "Agent", "admin": "Administrateur", "service": "Service ou mairie"}
MONTHS = ("janv.", "févr.", "mars", "avr.", "mai", "juin", "juil.", "août", "sept.", "oct.", "nov.", "déc.")


def _local(value: datetime) -> datetime:
    """The clerks' wall time; a naive value is UTC (what the store keeps)."""
    zone = templates.env.globals.get("zone")
    if value.tzinfo is None:
        value = value.replace(tzinfo=timezone.utc)
    return value.astimezone(zone) if zone else value


def when(value: datetime | None, seconds: bool = False) -> str:
    """28/11/2026 14:05, in the configured time zone."""
    if value is None:
        return "—"
    return _local(value).strftime("%d/%m/%Y %H:%M:%S" if seconds else "%d/%m/%Y %H:%M")


def day(value: date | datetime | str | None) -> str:
    if not value:
        return "—"
    if isinstance(value, str):
        try:
            value = date.fromisoformat(value)
        except ValueError:
            return value
    if isinstance(value, datetime):
        value = _local(value).date()
    return f"{value.day} {MONTHS[value.month - 1]} {value.year}"


def percent(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.0f} %"


def number(value: int | None) -> str:
    return "—" if value is None else f"{value:,}".replace(",", "\u202f")


def size(value: int | None) -> str:
    if value is None:
        return "—"
    for unit in ("octets", "Ko", "Mo", "Go"):
        if value < 1024 or unit == "Go":
            return f"{value:.0f} {unit}" if unit == "octets" else f"{value:.1f} {unit}".replace(".", ",")
        value /= 1024
    return str(value)


templates.env.filters.update(when=when, day=day, percent=percent, number=number, size=size)
templates.env.globals.update(ItemStatus=ItemStatus, STATUS_TABS=STATUS_TABS, status_label=status_label, CHANNELS=CHANNELS, ACTIONS=ACTIONS, ROLES=ROLES,
                             display_subject=display_subject)


FIELDS = {"status": "Statut", "competence": "Compétence", "commune": "Commune", "urgent": "Urgent",
          "destination": "Destination", "destination_kind": "Type de destination", "due_date": "Échéance"}
KINDS = {"metropole": "service de la métropole", "commune": "mairie", "autre": "autre administration"}


def change_value(reference, key: str, value) -> str:
    """A value of the audit trail as a clerk reads it."""
    if key == "status":
        return status_label(value) if value else "—"
    if key == "competence":
        return reference.competence_by_code[value].label if value in reference.competence_by_code else value or "—"
    if key == "commune":
        return reference.commune_name(value)
    if key == "urgent":
        return "oui" if value else "non"
    if key == "due_date":
        return day(value)
    if key == "destination_kind":
        return KINDS.get(value, value or "—")
    return str(value) if value not in (None, "") else "—"


def render(request: Request, name: str, status_code: int = 200, **context):
    """A page with what every template needs: the user, this session's CSRF token, flashes, labels."""
    reference = request.app.state.reference
    context.update(
        request=request, user=getattr(request.state, "user", None), csrf=csrf_token(request),
        flashes=pop_flashes(request), competences=reference.competence_by_code,
        commune_name=reference.commune_name, field_label=FIELDS,
        change_value=lambda key, value: change_value(reference, key, value),
        competence_label=lambda code: reference.competence_by_code[code].label
        if code in reference.competence_by_code else (code or "—"),
        clerk_reason=lambda reason: clerk_reason(reason, lambda code: reference.competence_by_code[code].label
                                                 if code in reference.competence_by_code else code))
    return templates.TemplateResponse(request, name, context, status_code=status_code)
