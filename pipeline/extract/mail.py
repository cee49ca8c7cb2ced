"""Emails (RFC 822 bytes) to parts: the body as text, attachments kept raw for the next steps.

Parsing is lenient on purpose: real mail has undeclared or wrong charsets, broken MIME and
truncated base64. Whatever can be read is kept; what cannot is recorded on the part.
"""
from __future__ import annotations

import email
import email.policy
import re
from dataclasses import replace
from email.header import decode_header, make_header
from email.message import Message
from email.utils import getaddresses, parsedate_to_datetime

from pipeline.extract.filetype import SCAN_TYPES, sniff
from pipeline.extract.html import html_to_text
from pipeline.errors import BudgetExceeded, ItemError
from pipeline.item import Document, Item, Part, Registration, Thread

FALLBACK_CHARSETS = ("utf-8", "cp1252", "latin-1")
MAX_NESTING = 5  # attached messages read inside one another


def decode_bytes(payload: bytes, declared: str | None) -> str:
    """Decode with the declared charset when it works, else the usual suspects of French mail."""
    for charset in ((declared,) if declared else ()) + FALLBACK_CHARSETS:
        try:
            return payload.decode(charset)
        except (LookupError, UnicodeDecodeError):
            continue
    return payload.decode("utf-8", "replace")


def _eight_bit(raw: bytes) -> str:
    """Raw 8-bit header bytes (UTF-8 headers, RFC 6532, as modern clients send them; older ones raw
    Windows-1252): UTF-8 first, else the Windows code page."""
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw.decode("cp1252", "replace")


def header_text(message: Message, name: str) -> str:
    value = message.get(name)
    if value is None:
        return ""
    try:
        chunks = [(_eight_bit(chunk), None) if isinstance(chunk, bytes) and charset in (None, "unknown-8bit")
                  else (chunk, charset) for chunk, charset in decode_header(value)]
        return str(make_header(chunks)).strip()
    except (UnicodeError, LookupError, ValueError):
        return str(value).strip()


def read_email(document: Document, max_mime_depth: int = 12, max_attachments: int = 40) -> Item:
    """Parse an email into an Item whose parts are its body and attachments (the first `max_attachments` read)."""
    try:
        message = email.message_from_bytes(document.raw, policy=email.policy.compat32)
        if not message.keys() and not message.get_payload():
            raise ItemError("message vide ou illisible", "email-unreadable")
        parts = tuple(_parts(message, depth=0, max_depth=min(MAX_NESTING, max_mime_depth)))
    except RecursionError as exc:  # attached messages nested without multipart boundaries
        raise BudgetExceeded(f"message trop imbriqué (plus de {max_mime_depth} niveaux MIME)",
                             "mime-too-deep") from exc
    sender_name, sender_email = _sender(message)
    written = _date(message)
    return Item(
        document=document,
        channel="email",
        sender=sender_name or sender_email,
        sender_email=sender_email,
        subject=header_text(message, "Subject"),
        message_id=header_text(message, "Message-ID") or None,
        # Received is when it reached us (IMAP INTERNALDATE, the file's arrival); the Date: header is
        # when the sender wrote it: the letter date.
        received_at=document.received_at or written,
        parts=_within_attachment_budget(parts, max_attachments),
        registration=Registration(letter_date=written.date() if written else None),
        thread=_thread(message),
    )


def _thread(message: Message) -> Thread:
    """In-Reply-To and References, the identifiers of the messages this one answers."""
    ids = lambda name: tuple(re.findall(r"<[^<>\s]{1,400}>", header_text(message, name)))  # noqa: E731
    replied = ids("In-Reply-To")
    return Thread(in_reply_to=replied[0] if replied else "", references=ids("References")[-20:])


def _within_attachment_budget(parts: tuple[Part, ...], max_attachments: int) -> tuple[Part, ...]:
    """Attachments past the budget are kept (nothing is lost) but not read; the clerk sees why."""
    out, seen = [], 0
    for part in parts:
        if part.role == "attachment":
            seen += 1
            if seen > max_attachments and part.error is None:
                part = replace(part, error=f"non lue : plus de {max_attachments} pièces jointes dans l'envoi")
        out.append(part)
    return tuple(out)


def _sender(message: Message) -> tuple[str, str]:
    addresses = getaddresses([header_text(message, "From")])
    if not addresses:
        return "", ""
    name, address = addresses[0]
    return name.strip(), address.strip().lower()


def _date(message: Message):
    try:
        return parsedate_to_datetime(header_text(message, "Date"))
    except (TypeError, ValueError, IndexError):
        return None


def _parts(message: Message, depth: int, max_depth: int = MAX_NESTING):
    """Yield the readable body (plain preferred over HTML) and every attachment as a Part."""
    plain, html, others = [], [], []
    for part in message.walk() if depth < max_depth else ():
        if part.is_multipart():
            continue
        content_type = part.get_content_type()
        filename = part.get_filename()
        payload = _payload(part)
        if content_type == "message/rfc822" or (filename and filename.lower().endswith(".eml")):
            others.extend(_nested(part, payload, depth, max_depth))
        elif filename or part.get("Content-Disposition", "").lower().startswith("attachment"):
            others.append(_attachment(part, filename or "piece-jointe", payload))
        elif content_type == "text/html":
            html.append(decode_bytes(payload, part.get_content_charset()))
        elif content_type.startswith("text/"):
            plain.append(decode_bytes(payload, part.get_content_charset()))
    body = "\n\n".join(t.strip() for t in plain if t.strip())
    if not body and html:
        body = "\n\n".join(html_to_text(h) for h in html)
    if body or html:
        yield Part(name="corps", content_type="text/html" if not plain and html else "text/plain",
                   role="body", text=body, raw="\n".join(html).encode() if html else None)
    yield from others


def _payload(part: Message) -> bytes:
    try:
        payload = part.get_payload(decode=True)
    except Exception:  # compat32 raises assorted errors on broken encodings; keep the raw text
        payload = None
    if payload is None:
        raw = part.get_payload()
        payload = raw.encode("utf-8", "replace") if isinstance(raw, str) else b""
    return payload


def _nested(part: Message, payload: bytes, depth: int, max_depth: int):
    inner = part.get_payload()
    if isinstance(inner, list) and inner:
        nested = inner[0]
    else:
        nested = email.message_from_bytes(payload, policy=email.policy.compat32)
    subject = header_text(nested, "Subject")
    sender = header_text(nested, "From")
    for sub in _parts(nested, depth + 1, max_depth):
        if sub.role == "body":
            header = f"Message transféré de {sender}\nObjet : {subject}\n\n" if sender or subject else ""
            yield Part(name="message-joint", content_type=sub.content_type, role="body", text=header + sub.text)
        else:
            yield sub


def _attachment(part: Message, filename: str, payload: bytes) -> Part:
    declared = part.get_content_type()
    if not payload:
        return Part(name=filename, content_type=declared, role="attachment", raw=payload,
                    error="pièce jointe vide")
    try:
        content_type = sniff(payload, filename)
    except ItemError as exc:
        if declared.startswith("text/"):
            return Part(name=filename, content_type=declared, role="attachment", raw=payload,
                        text=decode_bytes(payload, part.get_content_charset()))
        return Part(name=filename, content_type=declared, role="attachment", raw=payload, error=str(exc))
    if content_type not in SCAN_TYPES:
        return Part(name=filename, content_type=content_type, role="attachment", raw=payload,
                    error="pièce jointe non lue (type non pris en charge)")
    return Part(name=filename, content_type=content_type, role="attachment", raw=payload)
