"""The original as the clerk would see it: an email's headers and bodies, a scan's pages as images.

Everything is read from the content-addressed file store, byte for byte as received. Pages are
rendered on the server (pdftoppm for PDF, Pillow for images) and cached on disk by digest, under
the batch's own budgets ([limits]) and through the same program wrappers: a page is sized from
pdfinfo or the image header before anything is rendered or decoded.
"""
from __future__ import annotations

import email
import email.policy
import io
from dataclasses import dataclass, field
from pathlib import Path

from PIL import Image, ImageOps, UnidentifiedImageError

from pipeline.atomic import write_atomically
from pipeline.config import LimitsSettings
from pipeline.errors import BudgetExceeded, ItemError
from pipeline.extract.budgets import check_pixels, configure_pillow, render_dpi
from pipeline.extract.mail import decode_bytes, header_text
from pipeline.extract.programs import pdfinfo, pdftoppm
from pipeline.web.sanitize import SanitizedHtml, sanitize_email_html

PAGE_WIDTH = 1000  # pixels: readable on a laptop, light enough to load fast
MAX_PAGES = 40  # shown per file; the batch's page budget applies too
RENDER_TIMEOUT_S = 30
DEFAULT_LIMITS = LimitsSettings()
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


def page_count(raw: bytes, content_type: str, limits: LimitsSettings = DEFAULT_LIMITS) -> int:
    """Pages to show: counted from pdfinfo or the image header, never more than the page budgets."""
    configure_pillow(limits)
    if content_type == "application/pdf":
        count = pdfinfo(raw, timeout=RENDER_TIMEOUT_S).pages
    else:
        try:
            with Image.open(io.BytesIO(raw)) as image:
                count = getattr(image, "n_frames", 1)
        except (UnidentifiedImageError, OSError, Image.DecompressionBombError) as exc:
            raise ItemError("image illisible", "image-unreadable") from exc
    return min(count, MAX_PAGES, limits.max_pages_per_item)


def _render(raw: bytes, content_type: str, number: int, width: int, limits: LimitsSettings) -> Image.Image:
    if content_type == "application/pdf":
        info = pdfinfo(raw, timeout=RENDER_TIMEOUT_S, up_to=number)
        if number > min(info.pages, len(info.page_sizes)):
            raise ItemError(f"page {number} : page absente", "no-page")
        size = info.page_sizes[number - 1]
        if max(size) > limits.max_page_points:
            raise BudgetExceeded(f"page {number} trop grande pour être affichée", "page-too-large")
        dpi = render_dpi(size, width * 72 / size[0], limits.max_pixels_per_page)
        return pdftoppm(raw, number, dpi=dpi, timeout=RENDER_TIMEOUT_S)
    try:
        image = Image.open(io.BytesIO(raw))
        image.seek(number - 1)
        check_pixels(image.width, image.height, limits.max_pixels_per_page)  # from the header, before decoding
        image = ImageOps.exif_transpose(image)
    except Image.DecompressionBombError as exc:
        raise BudgetExceeded(f"page {number} : image trop grande", "too-many-pixels") from exc
    except (UnidentifiedImageError, OSError, EOFError) as exc:
        raise ItemError(f"page {number} : image illisible", "image-unreadable") from exc
    if image.width > width:
        image = image.resize((width, max(1, round(image.height * width / image.width))), Image.LANCZOS)
    return image


def page_png(raw: bytes, sha256: str, content_type: str, number: int, cache_dir: Path,
             width: int = PAGE_WIDTH, limits: LimitsSettings = DEFAULT_LIMITS) -> bytes:
    """One page as PNG, rendered once and then served from the cache."""
    if content_type not in RENDERABLE:
        raise ItemError("type de fichier non affichable")
    if not 1 <= number <= min(MAX_PAGES, limits.max_pages_per_item):
        raise ItemError("page hors limites")
    path = Path(cache_dir) / sha256[:2] / f"{sha256}-{number}-{width}.png"
    if path.exists():
        return path.read_bytes()
    configure_pillow(limits)
    image = _render(raw, content_type, number, width, limits)
    if image.mode not in ("L", "RGB"):
        image = image.convert("RGB")
    buffer = io.BytesIO()
    image.save(buffer, "PNG", optimize=True)
    data = buffer.getvalue()
    write_atomically(path, data)
    return data
