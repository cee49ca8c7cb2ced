"""Budgets per document ([limits]), checked from headers before any page is decoded or rendered.

Each check raises BudgetExceeded with a French reason and a slug; the caller decides whether that
quarantines the document (a scan, a dropped file) or only leaves one attachment unread.
"""
from __future__ import annotations

import io
import math
import re

from PIL import Image, UnidentifiedImageError

from pipeline.config import LimitsSettings
from pipeline.errors import BudgetExceeded, ItemError
from pipeline.extract.programs import pdfinfo

POINTS_PER_INCH = 72
BOUNDARY = re.compile(rb'^(?:content-type:.*|[ \t].*)boundary="?([^";\r\n]+)"?', re.IGNORECASE | re.MULTILINE)
DELIMITER = re.compile(rb"^--(.+?)(--)?[ \t]*\r?$", re.MULTILINE)


def configure_pillow(limits: LimitsSettings) -> None:
    """Pillow's own decompression-bomb guard, from the same budget (it refuses twice the limit at open)."""
    Image.MAX_IMAGE_PIXELS = limits.max_pixels_per_page


def check_size(raw: bytes, limits: LimitsSettings) -> None:
    if len(raw) > limits.max_message_bytes:
        raise BudgetExceeded(f"document trop volumineux ({len(raw) / 1e6:.1f} Mo > "
                             f"{limits.max_message_bytes / 1e6:.1f} Mo)", "too-large")


def check_mime_depth(raw: bytes, limits: LimitsSettings) -> None:
    """Nesting of multiparts, measured on the bytes: Python's parser recurses and would crash first."""
    open_boundaries: list[bytes] = []
    declared = {m.start(): m.group(1).strip() for m in BOUNDARY.finditer(raw)}
    delimiters = {m.start(): (m.group(1), bool(m.group(2))) for m in DELIMITER.finditer(raw)}
    for offset in sorted(declared.keys() | delimiters.keys()):
        if offset in declared:
            open_boundaries.append(declared[offset])
            if len(open_boundaries) > limits.max_mime_depth:
                raise BudgetExceeded(f"message trop imbriqué (plus de {limits.max_mime_depth} niveaux MIME)",
                                     "mime-too-deep")
            continue
        boundary, closing = delimiters[offset]
        if boundary in open_boundaries:
            # A delimiter closes whatever was opened inside the previous part of its multipart.
            del open_boundaries[open_boundaries.index(boundary) + (0 if closing else 1):]


def pdf_page_sizes(raw: bytes, limits: LimitsSettings, timeout: float = 30) -> list[tuple[float, float]]:
    """The size of every page in points, once the page count and sizes are known to be within budget."""
    info = pdfinfo(raw, timeout=timeout, up_to=limits.max_pages_per_item)
    check_page_count(info.pages, limits)
    for number, (width, height) in enumerate(info.page_sizes, 1):
        if max(width, height) > limits.max_page_points:
            raise BudgetExceeded(f"page {number} trop grande ({width:.0f} × {height:.0f} points > "
                                 f"{limits.max_page_points:.0f})", "page-too-large")
    return list(info.page_sizes)


def image_frame_count(raw: bytes, limits: LimitsSettings) -> int:
    """Frames of an image (TIFF pages), each checked for its pixels from its header, none decoded."""
    try:
        with Image.open(io.BytesIO(raw)) as image:
            count = getattr(image, "n_frames", 1)
            check_page_count(count, limits)
            for frame in range(count):
                image.seek(frame)
                check_pixels(image.width, image.height, limits.max_pixels_per_page)
    except Image.DecompressionBombError as exc:
        raise BudgetExceeded("image trop grande (bien plus de pixels que le budget par page)",
                             "too-many-pixels") from exc
    except (UnidentifiedImageError, OSError, EOFError, ValueError) as exc:
        raise ItemError("image illisible", "image-unreadable") from exc
    return count


def check_page_count(count: int, limits: LimitsSettings) -> None:
    if count > limits.max_pages_per_item:
        raise BudgetExceeded(f"trop de pages ({count} > {limits.max_pages_per_item})", "too-many-pages")
    if count == 0:
        raise ItemError("document sans page", "no-page")


def check_pixels(width: int, height: int, max_pixels: int) -> None:
    if width * height > max_pixels:
        raise BudgetExceeded(f"image trop grande ({width} × {height} pixels > {max_pixels / 1e6:.0f} millions)",
                             "too-many-pixels")


def render_dpi(size_points: tuple[float, float], dpi: float, max_pixels: int) -> float:
    """The wanted dpi, lowered as needed so the rendered page stays within the pixel budget."""
    width, height = size_points
    pixels_at_one_dpi = width * height / POINTS_PER_INCH ** 2
    return min(dpi, math.sqrt(max_pixels / pixels_at_one_dpi) * 0.999) if pixels_at_one_dpi else dpi


def scale_within(width: int, height: int, scale: float, max_pixels: int) -> float:
    """A resize factor lowered as needed so the result stays within the pixel budget."""
    return min(scale, math.sqrt(max_pixels / (width * height)) * 0.999)
