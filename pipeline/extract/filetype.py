"""What a file really is, by its first bytes rather than its name."""
from __future__ import annotations

import re

from pipeline.errors import ItemError

SIGNATURES = (
    (b"%PDF-", "application/pdf"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"II*\x00", "image/tiff"),
    (b"MM\x00*", "image/tiff"),
)
HEADER_LINE = re.compile(rb"^[A-Za-z][A-Za-z0-9-]*:[ \t]", re.MULTILINE)
SCAN_TYPES = {"application/pdf", "image/png", "image/jpeg", "image/tiff"}


def sniff(raw: bytes, filename: str = "") -> str:
    """Return the content type of a document, or raise ItemError for empty or unknown files."""
    if not raw.strip():
        raise ItemError("fichier vide", "empty-file")
    head = raw[:1024].lstrip()
    for signature, content_type in SIGNATURES:
        if head.startswith(signature):
            return content_type
    if filename.lower().endswith(".eml") or len(HEADER_LINE.findall(raw[:4096])) >= 2:
        return "message/rfc822"
    raise ItemError(f"type de fichier non pris en charge ({filename or 'sans nom'})", "unsupported-type")
