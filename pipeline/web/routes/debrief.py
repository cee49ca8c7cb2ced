"""The morning debrief on the page: the same report as `triage report`, for any signed-in clerk."""
from __future__ import annotations

import base64
from datetime import date

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import HTMLResponse

from pipeline.report import render, yesterday
from pipeline.report.charts import draw_all
from pipeline.report.data import collect
from pipeline.web.auth import CurrentUser, current_user, db

router = APIRouter()
# The report is one self-contained page (inline styles, charts as data: images), nothing else loads.
REPORT_POLICY = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'"


@router.get("/debrief", response_class=HTMLResponse)
def debrief(request: Request, jour: str | None = None, user: CurrentUser = Depends(current_user),
            session=Depends(db)):
    settings = request.app.state.settings
    try:
        day = date.fromisoformat(jour) if jour else yesterday(settings)
    except ValueError:
        raise HTTPException(400, "date invalide : AAAA-MM-JJ attendu") from None
    data = collect(session, settings, day)
    charts = draw_all(data)
    html = render(data, charts, settings,
                  lambda name: "data:image/png;base64," + base64.b64encode(charts[name]).decode("ascii"))
    return HTMLResponse(html, headers={"Content-Security-Policy": REPORT_POLICY})
