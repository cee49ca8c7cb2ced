"""Sending the letters drafted for email; each one's outcome is recorded on its row (sent or failed)."""
from __future__ import annotations

import logging
from datetime import datetime, timezone
from email.message import EmailMessage
from email.utils import formatdate, make_msgid

from sqlalchemy import select

from pipeline.config import Settings
from pipeline.errors import SendError
from pipeline.letters import LetterInfo
from pipeline.smtp import check_configured, send
from pipeline.store.database import open_database
from pipeline.store.files import FileStore
from pipeline.store.schema import ItemRow, LetterRow

log = logging.getLogger("triage.letters")


def send_letters(settings: Settings, ids: list[int] | None = None, by: str = "triage") -> list[LetterInfo]:
    """Send the email drafts (all of them, or these ids); a refused letter is marked failed, the others go on."""
    check_configured(settings.smtp)
    files = FileStore(settings.file_store_dir)
    sessions = open_database(settings.database_url)
    done = []
    with sessions() as session:
        query = (select(LetterRow, ItemRow).join(ItemRow, ItemRow.id == LetterRow.item_id)
                 .where(LetterRow.channel == "email", LetterRow.status.in_(("draft", "failed"))).order_by(LetterRow.id))
        if ids:
            query = query.where(LetterRow.id.in_(ids))
        for letter, item in session.execute(query).all():
            try:
                send(settings.smtp, _message(letter, item, settings, files))
            except SendError as exc:
                letter.status, letter.error = "failed", str(exc)[:1000]
                log.error("letter %s not sent: %s", letter.id, exc, extra={"item": item.chrono})
            else:
                letter.status, letter.sent_at, letter.sent_by, letter.error = "sent", datetime.now(timezone.utc), by, ""
                log.info("letter %s (%s) sent to %s", letter.id, letter.kind, letter.recipient_email,
                         extra={"item": item.chrono})
            session.commit()
            done.append(LetterInfo.of(letter, item.chrono))
    return done


def _message(letter: LetterRow, item: ItemRow, settings: Settings, files: FileStore) -> EmailMessage:
    message = EmailMessage()
    message["Subject"] = letter.subject
    message["From"] = settings.letters.email or settings.smtp.sender
    message["To"] = letter.recipient_email
    message["Date"] = formatdate(localtime=True)
    message["Message-ID"] = make_msgid(domain="triage.local")
    if item.message_id and letter.kind != "transmission":
        message["In-Reply-To"] = message["References"] = item.message_id  # threads with the sender's email
    message.set_content(letter.body)
    if letter.kind == "transmission" and files.exists(item.sha256):  # the request itself, byte for byte
        raw = files.get(item.sha256)
        kind = "application/octet-stream" if item.channel == "email" else (_content_type(item) or "application/octet-stream")
        maintype, _, subtype = kind.partition("/")  # an .eml goes as bytes: a broken one must still go
        message.add_attachment(raw, maintype=maintype, subtype=subtype, filename=item.filename or "demande")
    return message


def _content_type(item: ItemRow) -> str:
    original = next((f for f in item.files if f.role == "original"), None)
    return original.content_type if original else ""
