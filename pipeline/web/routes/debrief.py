"""The stand-up page: the agenda of the morning meeting, inside the app (menu, links to items, date picker).

The first screen answers "what came in, what waits where, who is on it, how are we trending";
the details follow below. `/debrief/rapport` keeps the self-contained report of `triage report`
(printable, the same as the email).
"""
from __future__ import annotations

import base64
from datetime import date, datetime, timedelta

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from pipeline.report import long_date, render as render_report, yesterday
from pipeline.report.charts import draw_all
from pipeline.report.data import collect as collect_report
from pipeline.report.sparklines import bars
from pipeline.errors import ConfigError
from pipeline.store import followups, notifications, standup
from pipeline.web.auth import CurrentUser, current_user, db, flash
from pipeline.web.pages import render
from pipeline.web.routes import response_times

router = APIRouter()
router.include_router(response_times.router)  # the page shares the debrief's section: one module to register
# The report is one self-contained page (inline styles, charts as data: images), nothing else loads.
REPORT_POLICY = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'"
# Every action a review_event records (pipeline/store: review, undo, registration, distribution, baskets),
# singular and plural: "1 correction", "2 corrections".
ACTIONS_FR = {"confirm": ("confirmation", "confirmations"), "correct": ("correction", "corrections"),
              "bulk_confirm": ("confirmation en lot", "confirmations en lot"),
              "update": ("modification", "modifications"), "undo": ("annulation", "annulations"),
              "handled": ("marqué traité", "marqués traités"), "comment": ("commentaire", "commentaires"),
              "reopen": ("réouverture", "réouvertures"), "enregistrement": ("enregistrement modifié",
                                                                             "enregistrements modifiés"),
              "copy_added": ("copie ajoutée", "copies ajoutées"), "copy_removed": ("copie retirée", "copies retirées"),
              "taken": ("prise en charge", "prises en charge"), "seen": ("copie lue", "copies lues"),
              "answered": ("réponse enregistrée", "réponses enregistrées"),
              "redirected": ("réorientation", "réorientations")}


def action_count(action: str, n: int) -> str:
    """"1 correction", "3 corrections"; an action without French words shows as recorded."""
    one, many = ACTIONS_FR.get(action, (action, action))
    return f"{n} {one if n <= 1 else many}"


LETTERS_FR = {"accuse_reception": "Accusé de réception", "transmission": "Transmission à l'autorité compétente",
              "avis_transmission": "Avis de transmission à l'usager"}


def _day(value: str | None, default: date) -> date:
    try:
        return date.fromisoformat(value) if value else default
    except ValueError:
        raise HTTPException(400, "date invalide : choisissez un jour dans le calendrier (AAAA-MM-JJ)") from None


@router.get("/debrief")
def debrief(request: Request, jour: str | None = None, user: CurrentUser = Depends(current_user),
            session=Depends(db)):
    zone = request.app.state.zone
    meeting = _day(jour, datetime.now(zone).date())
    data = standup.collect(session, meeting, zone)
    relances = followups.count_per_service(session, data.start, data.end)
    labels = [f"{w.end:%d/%m}" for w in data.weeks]
    charts = {"backlog": bars([w.backlog for w in data.weeks], labels, "À vérifier en fin de semaine", "#a15c00"),
              "auto": bars([w.auto_rate for w in data.weeks], labels, "Part orientée automatiquement", "#1d7a3e",
                           percent=True)}
    return render(request, "debrief.html", d=data, meeting_long=long_date(meeting), charts=charts,
                  relances=relances, action_count=action_count, letters_fr=LETTERS_FR,
                  times=response_times.figures(request, session, meeting - timedelta(days=29), meeting),
                  outbox=notifications.counts(session), unsent=notifications.failed(session, limit=20),
                  max_attempts=request.app.state.settings.notify.max_attempts,
                  start_local=data.start.astimezone(zone), end_local=data.end.astimezone(zone),
                  start_long=long_date(data.start.astimezone(zone).date()))


@router.post("/debrief/prevenir")
def tell_the_services(request: Request, user: CurrentUser = Depends(response_times.mail_team)):
    """The morning review is done: every service and town hall gets its digest now (and what waits is retried)."""
    from pipeline.notify.send import notify  # loads the SMTP and planning code only when pressed
    try:
        outcome = notify(request.app.state.settings, request.app.state.database, digest=True)
    except ConfigError as exc:
        flash(request, f"Aucun message envoyé : {exc}" + (f" ({exc.hint})" if exc.hint else ""), "error")
        return RedirectResponse("/debrief#prevenir", status_code=303)
    digests = outcome.planned.queued.get("digest", 0)
    flash(request, f"Services prévenus par {user.username} : {digests} récapitulatif(s) préparé(s), "
                   f"{outcome.sent} message(s) envoyé(s)"
                   + (f", {len(outcome.failed_now)} en échec (retentés au prochain passage)" if outcome.failed_now else "")
                   + (f" ; sans adresse dans l'annuaire : {', '.join(sorted(set(outcome.planned.unreachable)))}"
                      if outcome.planned.unreachable else "") + ".",
          "error" if outcome.failed_now else "ok")
    return RedirectResponse("/debrief#prevenir", status_code=303)


@router.get("/debrief/rapport", response_class=HTMLResponse)
def report(request: Request, jour: str | None = None, user: CurrentUser = Depends(current_user),
           session=Depends(db)):
    """The printable morning report of `triage report` for one received day."""
    settings = request.app.state.settings
    day = _day(jour, yesterday(settings))
    data = collect_report(session, settings, day)
    charts = draw_all(data)
    html = render_report(data, charts, settings,
                         lambda name: "data:image/png;base64," + base64.b64encode(charts[name]).decode("ascii"))
    return HTMLResponse(html, headers={"Content-Security-Policy": REPORT_POLICY})
