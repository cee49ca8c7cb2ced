"""OCR of scanned pages: render (pdftoppm), clean up, read with tesseract.

Runs inside pool workers (pipeline/extract/pool.py). Every page is bounded before it is decoded:
a PDF page is rendered at a dpi that keeps it within `max_pixels`, an image is refused from its
header, and the clean-up's upscaling of narrow images is capped by the same pixel budget.
"""
from __future__ import annotations

import io
import tempfile
import time
from dataclasses import dataclass

import numpy as np
from PIL import Image, ImageFilter, ImageOps, UnidentifiedImageError

from pipeline.errors import BudgetExceeded, ItemError
from pipeline.extract import pdf
from pipeline.extract.budgets import check_pixels, render_dpi, scale_within
from pipeline.extract.programs import pdftoppm, tesseract
from pipeline.item import Page

TARGET_WIDTH = 2400  # pixels: about 300 dpi for an A4 page, what tesseract reads best
MAX_UPSCALE = 4.0  # a phone photo gains from 2-3x; an 8-pixel-wide strip is not a page to blow up
BACKGROUND_BLUR = 20
REDUCTION = 8
MIN_DPI = 150
# Inverted (white on dark) text is rare in mail; skipping its check saves tesseract a pass.
TESSERACT_CONFIG = ("-c", "tessedit_do_invert=0")


@dataclass(frozen=True)
class PageJob:
    """One page to read: picklable, so it can travel to a pool worker."""

    key: str  # which document part it belongs to
    content_type: str
    raw: bytes
    page_number: int  # 1-based
    dpi: int
    language: str
    timeout_s: float
    max_pixels: int
    page_points: tuple[float, float] | None = None  # a PDF page's size, from pdfinfo


@dataclass(frozen=True)
class PageResult:
    key: str
    page: Page | None
    error: str | None = None
    slug: str | None = None
    seconds: float = 0.0  # time spent on the page, counted against the item's OCR budget


def ocr_page(job: PageJob) -> PageResult:
    """Read one page; failures come back as data so the caller decides (quarantine or note)."""
    started = time.monotonic()
    try:
        image = _load(job)
        text, confidence = _read(_clean(image, job.max_pixels), job)
    except ItemError as exc:
        return PageResult(job.key, None, f"page {job.page_number} : {exc}", exc.slug, time.monotonic() - started)
    except MemoryError:  # the worker's address-space limit: this page, not the process, gives up
        return PageResult(job.key, None, f"page {job.page_number} : mémoire insuffisante pour cette page",
                          "ocr-memory", time.monotonic() - started)
    return PageResult(job.key, Page(job.page_number, text, "ocr", confidence), seconds=time.monotonic() - started)


def _load(job: PageJob) -> Image.Image:
    if job.content_type == "application/pdf":
        # A scan is rendered at its own resolution (up to the configured dpi): upsampling adds pixels
        # for tesseract to read, not information.
        native = pdf.scan_resolution(job.raw, job.page_number, job.timeout_s)
        dpi = min(job.dpi, max(native, MIN_DPI)) if native else job.dpi
        if job.page_points:
            dpi = render_dpi(job.page_points, dpi, job.max_pixels)
        image = pdftoppm(job.raw, job.page_number, dpi=dpi, timeout=job.timeout_s, gray=True)
        check_pixels(image.width, image.height, job.max_pixels)
        return image
    try:
        image = Image.open(io.BytesIO(job.raw))
        image.seek(job.page_number - 1)
        check_pixels(image.width, image.height, job.max_pixels)  # from the header, before decoding
        return ImageOps.exif_transpose(image).convert("L")
    except Image.DecompressionBombError as exc:
        raise BudgetExceeded("image trop grande (bien plus de pixels que le budget par page)",
                             "too-many-pixels") from exc
    except (UnidentifiedImageError, OSError, EOFError) as exc:
        raise ItemError(f"image illisible : {exc}", "image-unreadable") from exc


def _clean(image: Image.Image, max_pixels: int) -> Image.Image:
    """Even out phone-photo lighting and speckle so tesseract's binarisation sees ink, not shadows.

    The background is estimated on a reduced copy: the same result as blurring the full page,
    for a fraction of the time.
    """
    image = image.convert("L")
    if image.width < TARGET_WIDTH * 0.6:  # a phone photo or a scan under ~180 dpi
        wanted = TARGET_WIDTH / image.width
        scale = scale_within(image.width, image.height, min(wanted, MAX_UPSCALE), max_pixels)
        if scale > 1:
            # Rounded down when capped, so the result stays within the budget.
            width = TARGET_WIDTH if scale == wanted else int(image.width * scale)
            image = image.resize((width, int(image.height * width / image.width)), Image.LANCZOS)
        image = image.filter(ImageFilter.MedianFilter(3))
    small = image.reduce(REDUCTION)
    background = small.filter(ImageFilter.GaussianBlur(BACKGROUND_BLUR / REDUCTION)).resize(image.size,
                                                                                          Image.BILINEAR)
    # In place, so a large page holds two float copies at most, not five.
    flat = np.asarray(image, dtype=np.float32)
    divisor = np.asarray(background, dtype=np.float32)
    divisor += 1
    flat /= divisor
    flat *= 255
    del divisor
    sample = flat[::REDUCTION, ::REDUCTION]
    low, high = np.percentile(sample, 1), np.percentile(sample, 99)
    flat -= low
    flat *= 255 / max(high - low, 1e-6)
    np.clip(flat, 0, 255, out=flat)
    return Image.fromarray(flat.astype(np.uint8))


def _read(image: Image.Image, job: PageJob) -> tuple[str, float | None]:
    # An uncompressed PGM is written in milliseconds; PNG encoding takes longer.
    with tempfile.NamedTemporaryFile(suffix=".pgm") as page_file:
        image.save(page_file, format="PPM")
        page_file.flush()
        data = tesseract(page_file.name, language=job.language, timeout=job.timeout_s, config=TESSERACT_CONFIG)
    return _layout_text(data), _mean_confidence(data)


def _layout_text(data: dict) -> str:
    """Rebuild lines and paragraphs from tesseract's word boxes."""
    lines: dict[tuple[int, int, int], list[str]] = {}
    for word, block, par, line in zip(data["text"], data["block_num"], data["par_num"], data["line_num"]):
        if word.strip():
            lines.setdefault((block, par, line), []).append(word)
    out, previous = [], None
    for (block, par, line), words in lines.items():
        if previous is not None and (block, par) != previous:
            out.append("")
        out.append(" ".join(words))
        previous = (block, par)
    return "\n".join(out)


def _mean_confidence(data: dict) -> float | None:
    scores = [float(c) for c, w in zip(data["conf"], data["text"]) if w.strip() and float(c) >= 0]
    return round(sum(scores) / len(scores), 1) if scores else None
