"""The page "Délais de réponse": per service and town hall, how fast the mail is taken and answered,
for the mail team and the admins (a service account has its own basket, not the others' figures)."""
from __future__ import annotations

from datetime import date, datetime, timedelta

from fastapi import APIRouter, Depends, HTTPException, Request

from pipeline.store import response_times
from pipeline.web.auth import CurrentUser, Forbidden, current_user, db
from pipeline.web.pages import render

router = APIRouter()
DEFAULT_DAYS = 30
MAX_DAYS = 800


def mail_team(user: CurrentUser = Depends(current_user)) -> CurrentUser:
    if user.role not in ("agent", "admin"):
        raise Forbidden()
    return user


def _day(value: str | None, default: date) -> date:
    try:
        return date.fromisoformat(value) if value else default
    except ValueError:
        raise HTTPException(400, "date invalide : choisissez un jour dans le calendrier (AAAA-MM-JJ)") from None


def figures(request: Request, session, start: date, end: date) -> list[response_times.EntryTimes]:
    settings = request.app.state.settings
    return response_times.per_entry(session, start, end, request.app.state.zone,
                                    settings.notify.default_engagement_days)


@router.get("/delais")
def page(request: Request, du: str | None = None, au: str | None = None, user: CurrentUser = Depends(mail_team),
         session=Depends(db)):
    today = datetime.now(request.app.state.zone).date()
    end = _day(au, today)
    start = _day(du, end - timedelta(days=DEFAULT_DAYS - 1))
    if start > end or (end - start).days > MAX_DAYS:
        raise HTTPException(400, "période invalide : le début doit précéder la fin, sur deux ans au plus")
    rows = figures(request, session, start, end)
    return render(request, "response_times.html", start=start, end=end, rows=rows,
                  services=[r for r in rows if r.kind == "service"], mairies=[r for r in rows if r.kind == "mairie"],
                  default_engagement=request.app.state.settings.notify.default_engagement_days)
