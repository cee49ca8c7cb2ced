"""The morning debrief: one self-contained French HTML page about yesterday, written and/or emailed.

    collect the figures (store/statistics.py) → draw the charts (charts.py) → fill the template → file, email
"""
from __future__ import annotations

import base64
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from email.message import EmailMessage
from email.utils import make_msgid
from pathlib import Path
from zoneinfo import ZoneInfo

from jinja2 import Environment, PackageLoader, select_autoescape

from pipeline.config import Settings
from pipeline.errors import ConfigError
from pipeline.report.charts import draw_all
from pipeline.store.statistics import ReportData, debrief

MONTHS = ("janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre",
          "novembre", "décembre")
DAYS = ("lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche")
RUN_STATUS_FR = {"ok": "réussi", "partial": "réussi avec quarantaine", "failed": "en échec",
                 "running": "en cours", "interrupted": "interrompu"}


@dataclass
class Report:
    data: ReportData
    charts: dict[str, bytes]
    html: str  # self-contained: the charts are data: URIs
    path: Path | None = None
    emailed_to: tuple[str, ...] = ()


def long_date(day: date) -> str:
    return f"{DAYS[day.weekday()]} {day.day}{'er' if day.day == 1 else ''} {MONTHS[day.month - 1]} {day.year}"


def yesterday(settings: Settings) -> date:
    return datetime.now(ZoneInfo(settings.timezone)).date() - timedelta(days=1)


def _environment() -> Environment:
    return Environment(loader=PackageLoader("pipeline.report", "templates"), autoescape=select_autoescape(["j2"]),
                       trim_blocks=True, lstrip_blocks=True)


def render(data: ReportData, charts: dict[str, bytes], settings: Settings, image_src) -> str:
    """Fill the template; `image_src(name)` says how a chart is referenced (data: URI or cid:)."""
    zone = ZoneInfo(settings.timezone)
    return _environment().get_template("report.html.j2").render(
        d=data, charts=charts, img=image_src, day_long=long_date(data.day), day_short=data.day.strftime("%d/%m/%Y"),
        as_of=data.as_of.strftime("%d/%m/%Y"), generated=datetime.now(zone).strftime("%d/%m/%Y à %H:%M"),
        organisation=settings.letters.organisation, timezone=settings.timezone, run_status=RUN_STATUS_FR)


def build_report(settings: Settings, database, day: date | None = None, *, out: Path | None = None,
                 email: bool = False) -> Report:
    """Collect, draw and render the report for `day` (default: yesterday); write it, mail it if asked."""
    day = day or yesterday(settings)
    if email and not settings.report.recipients:
        raise ConfigError("aucun destinataire pour le rapport", hint="renseignez [report] recipients")
    data = debrief(database, settings, day)
    charts = draw_all(data)
    html = render(data, charts, settings,
                  lambda name: "data:image/png;base64," + base64.b64encode(charts[name]).decode("ascii"))
    path = out or (settings.report.out_dir or Path(settings.data_dir) / "reports") / f"rapport-{day:%Y-%m-%d}.html"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(html, encoding="utf-8")
    report = Report(data, charts, html, path)
    if email:
        from pipeline.smtp import send
        send(settings.smtp, email_message(report, settings))
        report.emailed_to = tuple(settings.report.recipients)
    return report


def email_message(report: Report, settings: Settings) -> EmailMessage:
    """Text for any client, HTML with the charts as inline parts (webmails block data: images), the page attached."""
    data = report.data
    ids = {name: make_msgid(domain="triage.local")[1:-1] for name in report.charts}
    html = render(data, report.charts, settings, lambda name: f"cid:{ids[name]}")
    message = EmailMessage()
    message["Subject"] = settings.report.subject.format(date=data.day.strftime("%d/%m/%Y"))
    message["From"] = settings.smtp.sender
    message["To"] = ", ".join(settings.report.recipients)
    message.set_content(text_summary(data))
    message.add_alternative(html, subtype="html")
    html_part = message.get_payload()[1]
    for name, png in report.charts.items():
        html_part.add_related(png, maintype="image", subtype="png", cid=f"<{ids[name]}>", filename=f"{name}.png")
    message.add_attachment(report.html.encode("utf-8"), maintype="text", subtype="html",
                           filename=f"rapport-{data.day:%Y-%m-%d}.html")
    return message


def _answered_within(data: ReportData) -> str:
    due = sum(times.due for times in data.response_times)
    within = sum(times.within for times in data.response_times)
    return (f"Réponses des services dans leur engagement (courriers des 30 derniers jours) : {within} sur {due}"
            if due else "Réponses des services : aucune attendue sur les 30 derniers jours")


def text_summary(data: ReportData) -> str:
    """The headline figures as plain text (the email's text part and the command's output)."""
    run = data.runs[-1] if data.runs else None
    lines = [f"Débrief du courrier – {long_date(data.day)}", "",
             f"Reçus : {data.received} ({', '.join(f'{k} {v}' for k, v in sorted(data.by_channel.items())) or 'aucun'})",
             f"Orientés automatiquement : {data.auto_routed}",
             f"À vérifier ce matin : {data.to_review}",
             f"Urgents reçus : {len(data.urgent)}",
             f"Échéances dépassées : {len(data.overdue)} ; sous {data.near_days} jours : {len(data.near_due)}",
             f"Corrections des agents : {len(data.corrections)} ; confirmations : {data.confirmed}",
             f"Quarantaine : {len(data.quarantined)} nouveaux, {data.quarantine_open} en attente",
             _answered_within(data),
             "Traitement de la nuit : " + (f"n°{run['id']} {RUN_STATUS_FR.get(run['status'], run['status'])} "
                                           f"(code {run['exit_code']})" if run else "aucun")]
    return "\n".join(lines) + "\n"
