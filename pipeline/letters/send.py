"""Sending the letters drafted for email; each one's outcome is recorded on its row (sent or failed).

Each letter is isolated: a hostile address or Message-ID (CR/LF, absurd length, broken encoding)
fails that letter with a French reason and the others are sent. Header values come from senders,
so they are checked before they reach a header, never trusted to the email library's exceptions.
"""
from __future__ import annotations

import logging
import re
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import formatdate, make_msgid

from pipeline.config import Settings
from pipeline.errors import SendError
from pipeline.smtp import check_configured, send
from pipeline.store import letters as stored
from pipeline.store.files import FileStore
from pipeline.store.letters import EmailLetter, LetterInfo

log = logging.getLogger("triage.letters")
MAX_HEADER = 900  # under RFC 5322's 998 characters per line, folding included
MESSAGE_ID = re.compile(r"<[!#-;=?-~]{1,250}@[!#-;=?-Z^-~]{1,250}>")  # printable ASCII, no spaces, no brackets


class UnsafeLetter(ValueError):
    """A header built from a sender's data would be unsafe; the text is the French reason."""


def send_letters(settings: Settings, database, ids: list[int] | None = None, by: str = "triage") -> list[LetterInfo]:
    """Send the email drafts (all of them, or these ids); a refused letter is marked failed, the others go on."""
    check_configured(settings.smtp)
    files = FileStore(settings.file_store_dir)
    done = []
    for letter in stored.email_drafts(database, ids):
        try:
            send(settings.smtp, _message(letter, settings, files))
        except (SendError, UnsafeLetter) as exc:
            log.error("letter %s not sent: %s", letter.id, exc, extra={"item": letter.item.chrono})
            done.append(stored.record_outcome(database, letter.id, error=str(exc)))
        except Exception as exc:  # one letter's bug must not keep the others unsent
            log.exception("letter %s not sent", letter.id, extra={"item": letter.item.chrono})
            done.append(stored.record_outcome(database, letter.id, error=f"erreur interne : {type(exc).__name__}"))
        else:
            log.info("letter %s (%s) sent to %s", letter.id, letter.kind, letter.recipient_email,
                     extra={"item": letter.item.chrono})
            done.append(stored.record_outcome(database, letter.id, sent_by=by))
    return done


def safe_address(text: str) -> Address:
    """One plain mailbox address, or UnsafeLetter (CR/LF, several addresses, not ASCII, too long)."""
    if not text or len(text) > 254 or any(c in text for c in "\r\n\0,;<>\"() ") or not text.isascii():
        raise UnsafeLetter(f"adresse du destinataire invalide : {text[:80]!r}")
    user, at, domain = text.rpartition("@")
    if not at or not user or not domain:
        raise UnsafeLetter(f"adresse du destinataire invalide : {text[:80]!r}")
    return Address(username=user, domain=domain)


def thread_id(message_id: str | None) -> str | None:
    """The sender's Message-ID to reply to, when it is a well-formed one; otherwise no threading."""
    if message_id and len(message_id) <= MAX_HEADER and MESSAGE_ID.fullmatch(message_id.strip()):
        return message_id.strip()
    return None


def _message(letter: EmailLetter, settings: Settings, files: FileStore) -> EmailMessage:
    item = letter.item
    message = EmailMessage()
    message["Subject"] = " ".join(letter.subject.split())[:MAX_HEADER]  # folded lines come back as spaces
    message["From"] = settings.letters.email or settings.smtp.sender
    message["To"] = safe_address(letter.recipient_email)
    message["Date"] = formatdate(localtime=True)
    message["Message-ID"] = make_msgid(domain="triage.local")
    if letter.kind != "transmission" and (replied := thread_id(item.message_id)):
        message["In-Reply-To"] = message["References"] = replied  # threads with the sender's email
    message.set_content(letter.body)
    if letter.kind == "transmission" and files.exists(item.sha256):  # the request itself, byte for byte
        raw = files.get(item.sha256)
        kind = "application/octet-stream" if item.channel == "email" else (item.content_type or "application/octet-stream")
        maintype, _, subtype = kind.partition("/")  # an .eml goes as bytes: a broken one must still go
        filename = "".join(c for c in item.filename if c.isprintable())[:200] or "demande"
        message.add_attachment(raw, maintype=maintype, subtype=subtype, filename=filename)
    return message
