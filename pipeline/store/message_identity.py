"""When two emails are the same message: same content once the delivery and trace headers are set aside.

The same email delivered to two mailboxes differs only in what the servers on its way added
(Received, Return-Path, Delivered-To, spam and authentication verdicts...). Broken mailers reuse
Message-IDs, so a shared Message-ID alone must never merge two different letters: only a
shared `content_digest` may. Works on the bytes (no MIME parsing), so any message, however
malformed, gets a digest.
"""
from __future__ import annotations

import hashlib
import re

# Added or rewritten on the way, never by the sender.
TRACE_HEADERS = frozenset({
    "received", "return-path", "delivered-to", "x-original-to", "envelope-to", "x-envelope-to",
    "x-envelope-from", "x-received", "authentication-results", "arc-seal", "arc-message-signature",
    "arc-authentication-results", "received-spf", "x-spam-status", "x-spam-flag", "x-spam-score",
    "x-spam-level", "x-spam-checker-version", "x-spam-report", "x-virus-scanned", "x-virus-status",
    "x-ms-exchange-organization-authas", "x-ms-exchange-organization-scl", "x-forefront-antispam-report",
    "status", "x-status", "x-keywords", "x-uid", "content-length", "lines", "x-mozilla-status",
    "x-mozilla-status2", "x-mailbox", "x-delivered-to", "x-rspamd-score", "x-rspamd-action",
    "x-rspamd-server", "x-rspamd-queue-id",
})
_HEADER_END = re.compile(rb"\r?\n\r?\n")
_LINE_END = re.compile(rb"\r\n|\r|\n")


def content_digest(raw: bytes) -> str:
    """sha256 of the message without its trace headers, line endings and header folding made uniform."""
    raw = _LINE_END.sub(b"\n", raw)
    end = _HEADER_END.search(raw)
    head, body = (raw[:end.start()], raw[end.end():]) if end else (raw, b"")
    digest = hashlib.sha256()
    for name, value in _fields(head):
        if name not in TRACE_HEADERS:
            digest.update(name.encode() + b":" + value + b"\n")
    digest.update(b"\n" + body.rstrip(b"\n"))
    return digest.hexdigest()


def _fields(head: bytes) -> list[tuple[str, bytes]]:
    """(lower-case name, unfolded value) of each header field, in order; a line that is no field is kept whole."""
    fields: list[tuple[str, bytes]] = []
    for line in head.split(b"\n"):
        if line[:1] in (b" ", b"\t") and fields:
            name, value = fields[-1]
            fields[-1] = (name, value + b" " + line.strip())
        elif b":" in line:
            name, value = line.split(b":", 1)
            fields.append((name.strip().decode("latin-1").lower(), value.strip()))
        else:
            fields.append(("", line))
    return fields
