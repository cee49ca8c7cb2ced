"""The original as the clerk would see it: an email's headers and bodies, a scan's pages as images.

Everything is read from the content-addressed file store, byte for byte as received. Pages are
rendered on the server (pdftoppm for PDF, Pillow for images) and cached on disk by digest.
"""
from __future__ import annotations

import email
import email.policy
import io
from dataclasses import dataclass, field
from pathlib import Path

from pdf2image import convert_from_bytes
from pdf2image.exceptions import PDFPageCountError, PDFPopplerTimeoutError, PDFSyntaxError
from PIL import Image, ImageOps, UnidentifiedImageError

from pipeline.atomic import write_atomically
from pipeline.errors import ItemError
from pipeline.extract import pdf
from pipeline.extract.mail import decode_bytes, header_text
from pipeline.web.sanitize import SanitizedHtml, sanitize_email_html

PAGE_WIDTH = 1000  # pixels: readable on a laptop, light enough to load fast
MAX_PAGES = 40
RENDER_TIMEOUT_S = 30
MAX_PIXELS = 60_000_000
RENDERABLE = {"application/pdf", "image/png", "image/jpeg", "image/tiff", "image/gif", "image/bmp", "image/webp"}


@dataclass
class EmailView:
    headers: list[tuple[str, str]]
    plain: str
    html: SanitizedHtml | None
    notes: list[str] = field(default_factory=list)


def read_email_view(raw: bytes) -> EmailView:
    """Headers, the plain text body, and the first HTML body made inert (with its cid: images)."""
    message = email.message_from_bytes(raw, policy=email.policy.compat32)
    headers = [(label, header_text(message, name)) for label, name in
               (("De", "From"), ("À", "To"), ("Cc", "Cc"), ("Date", "Date"), ("Objet", "Subject"))]
    plain, html, inline = [], None, {}
    for part in message.walk():
        if part.is_multipart():
            continue
        try:
            payload = part.get_payload(decode=True) or b""
        except Exception:  # broken transfer encodings: show what the pipeline could read instead
            payload = b""
        content_id = (part.get("Content-ID") or "").strip().strip("<>")
        if content_id:
            inline[content_id] = (part.get_content_type(), payload)
        if part.get_filename() or str(part.get("Content-Disposition", "")).lower().startswith("attachment"):
            continue
        if part.get_content_type() == "text/plain":
            plain.append(decode_bytes(payload, part.get_content_charset()))
        elif part.get_content_type() == "text/html" and html is None:
            html = decode_bytes(payload, part.get_content_charset())
    return EmailView([(k, v) for k, v in headers if v], "\n\n".join(p.strip() for p in plain if p.strip()),
                     sanitize_email_html(html, inline) if html else None)


def page_count(raw: bytes, content_type: str) -> int:
    if content_type == "application/pdf":
        count = pdf.page_count(raw)
    else:
        try:
            count = getattr(Image.open(io.BytesIO(raw)), "n_frames", 1)
        except (UnidentifiedImageError, OSError) as exc:
            raise ItemError("image illisible") from exc
    return min(count, MAX_PAGES)


def _render(raw: bytes, content_type: str, number: int, width: int) -> Image.Image:
    if content_type == "application/pdf":
        try:
            pages = convert_from_bytes(raw, dpi=100, first_page=number, last_page=number, size=(width, None),
                                       timeout=RENDER_TIMEOUT_S)
        except (PDFPageCountError, PDFSyntaxError, PDFPopplerTimeoutError) as exc:
            raise ItemError(f"page {number} : rendu impossible") from exc
        if not pages:
            raise ItemError(f"page {number} : page absente")
        return pages[0]
    try:
        image = Image.open(io.BytesIO(raw))
        if image.width * image.height > MAX_PIXELS:
            raise ItemError("image trop grande")
        image.seek(number - 1)
        image = ImageOps.exif_transpose(image)
    except (UnidentifiedImageError, OSError, EOFError, Image.DecompressionBombError) as exc:
        raise ItemError(f"page {number} : image illisible") from exc
    if image.width > width:
        image = image.resize((width, max(1, round(image.height * width / image.width))), Image.LANCZOS)
    return image


def page_png(raw: bytes, sha256: str, content_type: str, number: int, cache_dir: Path,
             width: int = PAGE_WIDTH) -> bytes:
    """One page as PNG, rendered once and then served from the cache."""
    if content_type not in RENDERABLE:
        raise ItemError("type de fichier non affichable")
    if not 1 <= number <= MAX_PAGES:
        raise ItemError("page hors limites")
    path = Path(cache_dir) / sha256[:2] / f"{sha256}-{number}-{width}.png"
    if path.exists():
        return path.read_bytes()
    image = _render(raw, content_type, number, width)
    if image.mode not in ("L", "RGB"):
        image = image.convert("RGB")
    buffer = io.BytesIO()
    image.save(buffer, "PNG", optimize=True)
    data = buffer.getvalue()
    write_atomically(path, data)
    return data
