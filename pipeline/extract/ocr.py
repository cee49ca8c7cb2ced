"""OCR of scanned pages: render (pdftoppm via pdf2image), clean up, read with tesseract.

Runs inside pool workers: `init_worker` pins tesseract to one thread, since on a small machine
tesseract's own threading is several times slower than one page per process.
"""
from __future__ import annotations

import io
import os
from dataclasses import dataclass

import numpy as np
import pytesseract
from pdf2image import convert_from_bytes
from pdf2image.exceptions import PDFPageCountError, PDFSyntaxError, PDFPopplerTimeoutError
from PIL import Image, ImageFilter, ImageOps, UnidentifiedImageError

from pipeline.errors import ItemError
from pipeline.item import Page

TARGET_WIDTH = 2400  # pixels: about 300 dpi for an A4 page, what tesseract reads best
BACKGROUND_BLUR = 20


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


@dataclass(frozen=True)
class PageResult:
    key: str
    page: Page | None
    error: str | None = None


def init_worker() -> None:
    os.environ["OMP_THREAD_LIMIT"] = "1"


def ocr_page(job: PageJob) -> PageResult:
    """Read one page; failures come back as data so the caller decides (quarantine or note)."""
    try:
        image = _load(job)
        text, confidence = _read(_clean(image), job)
    except ItemError as exc:
        return PageResult(job.key, None, str(exc))
    return PageResult(job.key, Page(job.page_number, text, "ocr", confidence))


def _load(job: PageJob) -> Image.Image:
    if job.content_type == "application/pdf":
        try:
            pages = convert_from_bytes(job.raw, dpi=job.dpi, first_page=job.page_number,
                                       last_page=job.page_number, grayscale=True, timeout=job.timeout_s)
        except PDFPopplerTimeoutError as exc:
            raise ItemError(f"page {job.page_number} : rendu trop long") from exc
        except (PDFPageCountError, PDFSyntaxError) as exc:
            raise ItemError(f"page {job.page_number} : PDF illisible") from exc
        if not pages:
            raise ItemError(f"page {job.page_number} : page vide ou illisible")
        return pages[0]
    try:
        image = Image.open(io.BytesIO(job.raw))
        image.seek(job.page_number - 1)
        if image.width * image.height > job.max_pixels:
            raise ItemError(f"image trop grande ({image.width}×{image.height} pixels)")
        return ImageOps.exif_transpose(image).convert("L")
    except (UnidentifiedImageError, OSError, EOFError, Image.DecompressionBombError) as exc:
        raise ItemError(f"image illisible : {exc}") from exc


def _clean(image: Image.Image) -> Image.Image:
    """Even out phone-photo lighting and speckle so tesseract's binarisation sees ink, not shadows."""
    image = image.convert("L")
    if image.width < TARGET_WIDTH * 0.8:
        scale = TARGET_WIDTH / image.width
        image = image.resize((TARGET_WIDTH, int(image.height * scale)), Image.LANCZOS)
    image = image.filter(ImageFilter.MedianFilter(3))
    background = np.asarray(image.filter(ImageFilter.GaussianBlur(BACKGROUND_BLUR)), dtype=np.float32) + 1
    flat = np.asarray(image, dtype=np.float32) / background * 255
    low, high = np.percentile(flat, 1), np.percentile(flat, 99)
    flat = np.clip((flat - low) / max(high - low, 1e-6) * 255, 0, 255)
    return Image.fromarray(flat.astype(np.uint8))


def _read(image: Image.Image, job: PageJob) -> tuple[str, float | None]:
    try:
        data = pytesseract.image_to_data(image, lang=job.language, timeout=job.timeout_s,
                                         output_type=pytesseract.Output.DICT)
    except RuntimeError as exc:  # pytesseract's timeout
        raise ItemError(f"page {job.page_number} : OCR trop long (> {job.timeout_s:.0f} s)") from exc
    except pytesseract.TesseractError as exc:
        raise ItemError(f"page {job.page_number} : tesseract a échoué ({exc.message.strip()[:200]})") from exc
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
