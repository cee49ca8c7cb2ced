"""What the item page's pickers list while a clerk types (JSON, same session and rights as the page)."""
from __future__ import annotations

from fastapi import APIRouter, Depends, HTTPException, Request

from pipeline.web import pickers
from pipeline.web.auth import CurrentUser, current_user

router = APIRouter()


def _choices(request: Request, kind: str) -> list[pickers.Choice]:
    """Built once per application: the reference data does not change while it runs."""
    state = request.app.state
    if not hasattr(state, "picker_choices"):
        state.picker_choices = {}
    cache = state.picker_choices
    if kind not in cache:
        context = request.app.state.context
        cache[kind] = pickers.commune_choices(context.reference) if kind == "communes" \
            else pickers.administration_choices(context.table)
    return cache[kind]


@router.get("/choix/{kind}")
def choose(kind: str, request: Request, q: str = "", user: CurrentUser = Depends(current_user)) -> list[dict]:
    if kind not in ("communes", "administrations"):
        raise HTTPException(404)
    found = pickers.rank(q[:80], _choices(request, kind))
    return [{"value": c.value, "name": c.name, "hint": c.hint} for c in found]
