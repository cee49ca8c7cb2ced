"""Sending mail over SMTP: the morning report and the letters. The only code that talks SMTP."""
from __future__ import annotations

import logging
import smtplib
import ssl
from email.message import EmailMessage

from pipeline.config import SmtpSettings
from pipeline.errors import ConfigError, SendError

log = logging.getLogger("triage.smtp")


def check_configured(settings: SmtpSettings) -> None:
    if not settings.host:
        raise ConfigError("aucun serveur d'envoi configuré", hint="renseignez [smtp] host dans la configuration")
    if settings.security not in ("starttls", "ssl", "none"):
        raise ConfigError(f"[smtp] security inconnu : {settings.security!r} (starttls, ssl ou none)")
    problem = settings.cleartext_login()  # settings changed after loading are checked again here
    if problem:
        raise ConfigError(problem)


def send(settings: SmtpSettings, message: EmailMessage) -> None:
    """Send one message; SendError with the server's answer when it fails."""
    check_configured(settings)
    if "From" not in message:
        message["From"] = settings.sender
    context = ssl.create_default_context()
    try:
        if settings.security == "ssl":
            client = smtplib.SMTP_SSL(settings.host, settings.port, timeout=settings.timeout_s, context=context)
        else:
            client = smtplib.SMTP(settings.host, settings.port, timeout=settings.timeout_s)
        with client:
            if settings.security == "starttls":
                client.starttls(context=context)
            if settings.username:
                client.login(settings.username, settings.password.resolve() if settings.password else "")
            refused = client.send_message(message)
    except (OSError, smtplib.SMTPException) as exc:
        raise SendError(f"envoi impossible par {settings.host}:{settings.port} : {exc}",
                        hint="vérifiez [smtp] dans la configuration, puis triage doctor") from exc
    if refused:
        log.warning("recipients refused: %s", ", ".join(refused))
    log.info("mail sent to %s: %s", message["To"], message["Subject"])
