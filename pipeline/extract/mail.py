"""Emails (RFC 822 bytes) to parts: the body as text, attachments kept raw for the next steps.

Parsing is lenient on purpose: real mail has undeclared or wrong charsets, broken MIME and
truncated base64. Whatever can be read is kept; what cannot is recorded on the part.
"""
from __future__ import annotations

import email
import email.policy
from email.header import decode_header, make_header
from email.message import Message
from email.utils import getaddresses, parsedate_to_datetime

from pipeline.extract.filetype import SCAN_TYPES, sniff
from pipeline.extract.html import html_to_text
from pipeline.errors import ItemError
from pipeline.item import Document, Item, Part

FALLBACK_CHARSETS = ("utf-8", "cp1252", "latin-1")
MAX_NESTING = 5


def decode_bytes(payload: bytes, declared: str | None) -> str:
    """Decode with the declared charset when it works, else the usual suspects of French mail."""
    for charset in ((declared,) if declared else ()) + FALLBACK_CHARSETS:
        try:
            return payload.decode(charset)
        except (LookupError, UnicodeDecodeError):
            continue
    return payload.decode("utf-8", "replace")


def header_text(message: Message, name: str) -> str:
    value = message.get(name)
    if value is None:
        return ""
    try:
        return str(make_header(decode_header(str(value)))).strip()
    except (UnicodeError, LookupError, ValueError):
        return str(value).strip()


def read_email(document: Document) -> Item:
    """Parse an email into an Item whose parts are its body and attachments."""
    message = email.message_from_bytes(document.raw, policy=email.policy.compat32)
    if not message.keys() and not message.get_payload():
        raise ItemError("message vide ou illisible")
    sender_name, sender_email = _sender(message)
    return Item(
        document=document,
        channel="email",
        sender=sender_name or sender_email,
        sender_email=sender_email,
        subject=header_text(message, "Subject"),
        message_id=header_text(message, "Message-ID") or None,
        received_at=_date(message) or document.received_at,
        parts=tuple(_parts(message, depth=0)),
    )


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


def _parts(message: Message, depth: int):
    """Yield the readable body (plain preferred over HTML) and every attachment as a Part."""
    plain, html, others = [], [], []
    for part in message.walk() if depth < MAX_NESTING else ():
        if part.is_multipart():
            continue
        content_type = part.get_content_type()
        filename = part.get_filename()
        payload = _payload(part)
        if content_type == "message/rfc822" or (filename and filename.lower().endswith(".eml")):
            others.extend(_nested(part, payload, depth))
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


def _nested(part: Message, payload: bytes, depth: int):
    inner = part.get_payload()
    if isinstance(inner, list) and inner:
        nested = inner[0]
    else:
        nested = email.message_from_bytes(payload, policy=email.policy.compat32)
    subject = header_text(nested, "Subject")
    sender = header_text(nested, "From")
    for sub in _parts(nested, depth + 1):
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
