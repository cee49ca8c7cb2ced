"""Raw MIME, written by hand so every shape, charset and encoding is exactly what we want."""
from __future__ import annotations

import base64
import quopri
from email.header import Header
from email.utils import formataddr

from samples.common import GBM_MAIL


def enc(text: str, charset: str = "utf-8") -> str:
    return text if text.isascii() else Header(text, charset).encode(maxlinelen=76)


def address(name: str, email: str, charset: str = "utf-8") -> str:
    return formataddr((name, email), charset=charset)


def qp(text: str, charset: str = "utf-8") -> bytes:
    return quopri.encodestring(text.encode(charset))


def b64(data: bytes) -> bytes:
    return base64.encodebytes(data)


def headers(frm: str, subject: str, date: str, msgid: str, to: str = GBM_MAIL, charset: str = "utf-8",
            extra: list[tuple[str, str]] = ()) -> list[tuple[str, str]]:
    return [("From", frm), ("To", to), ("Subject", enc(subject, charset)), ("Date", date),
            ("Message-ID", f"<{msgid}>"), *extra, ("MIME-Version", "1.0")]


def entity(head: list[tuple[str, str]], body: bytes) -> bytes:
    return "\n".join(f"{k}: {v}" for k, v in head).encode("ascii") + b"\n\n" + body


def multipart(boundary: str, parts: list[bytes], preamble: str | None = "This is a multi-part message in MIME format.") -> bytes:
    out = (preamble.encode() + b"\n") if preamble else b""
    for part in parts:
        out += b"\n--" + boundary.encode() + b"\n" + part.rstrip(b"\n") + b"\n"
    return out + b"\n--" + boundary.encode() + b"--\n"


def text_part(text: str, subtype: str = "plain", charset: str = "utf-8", cte: str = "quoted-printable",
              extra: str = "") -> bytes:
    body = qp(text, charset) if cte == "quoted-printable" else b64(text.encode(charset)) if cte == "base64" \
        else text.encode(charset)
    return entity([("Content-Type", f'text/{subtype}; charset="{charset}"{extra}'),
                   ("Content-Transfer-Encoding", cte)], body)


def pdf_part(data: bytes, filename: str) -> bytes:
    return entity([("Content-Type", f'application/pdf; name="{filename}"'),
                   ("Content-Disposition", f'attachment; filename="{filename}"'),
                   ("Content-Transfer-Encoding", "base64")], b64(data))


def html_page(paragraphs: list[str], style: str = "font-family: Calibri, Arial, sans-serif; font-size: 11pt;") -> str:
    body = "\n".join(f"<p>{p}</p>" for p in paragraphs)
    return (f'<!DOCTYPE html>\n<html lang="fr">\n<head><meta http-equiv="Content-Type" content="text/html; '
            f'charset=utf-8"></head>\n<body style="{style}">\n{body}\n</body>\n</html>\n')
