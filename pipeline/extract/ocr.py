"""OCR of scanned pages: render (pdftoppm via pdf2image), clean up, read with tesseract.

Runs inside pool workers: `init_worker` pins tesseract to one thread, since on a small machine
tesseract's own threading is several times slower than one page per process.
"""
from __future__ import annotations

import io
import os
import tempfile
from dataclasses import dataclass

import numpy as np
import pytesseract
from pdf2image import convert_from_bytes
from pdf2image.exceptions import PDFPageCountError, PDFSyntaxError, PDFPopplerTimeoutError
from PIL import Image, ImageFilter, ImageOps, UnidentifiedImageError

from pipeline.errors import ItemError
from pipeline.extract import pdf
from pipeline.item import Page

TARGET_WIDTH = 2400  # pixels: about 300 dpi for an A4 page, what tesseract reads best
BACKGROUND_BLUR = 20
REDUCTION = 8
MIN_DPI = 150
# Inverted (white on dark) text is rare in mail; skipping its check saves tesseract a pass.
TESSERACT_CONFIG = "-c tessedit_do_invert=0"


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
        # A scan is rendered at its own resolution (up to the configured dpi): upsampling adds pixels
        # for tesseract to read, not information.
        native = pdf.scan_resolution(job.raw, job.page_number, job.timeout_s)
        dpi = min(job.dpi, max(native, MIN_DPI)) if native else job.dpi
        try:
            pages = convert_from_bytes(job.raw, dpi=dpi, first_page=job.page_number,
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
    """Even out phone-photo lighting and speckle so tesseract's binarisation sees ink, not shadows.

    The background is estimated on a reduced copy: the same result as blurring the full page,
    for a fraction of the time.
    """
    image = image.convert("L")
    if image.width < TARGET_WIDTH * 0.6:  # a phone photo or a scan under ~180 dpi
        image = image.resize((TARGET_WIDTH, int(image.height * TARGET_WIDTH / image.width)), Image.LANCZOS)
        image = image.filter(ImageFilter.MedianFilter(3))
    small = image.reduce(REDUCTION)
    background = small.filter(ImageFilter.GaussianBlur(BACKGROUND_BLUR / REDUCTION)).resize(image.size,
                                                                                          Image.BILINEAR)
    flat = np.asarray(image, dtype=np.float32) / (np.asarray(background, dtype=np.float32) + 1) * 255
    sample = flat[::REDUCTION, ::REDUCTION]
    low, high = np.percentile(sample, 1), np.percentile(sample, 99)
    flat = np.clip((flat - low) * (255 / max(high - low, 1e-6)), 0, 255)
    return Image.fromarray(flat.astype(np.uint8))


def _read(image: Image.Image, job: PageJob) -> tuple[str, float | None]:
    # An uncompressed PGM is written in milliseconds; pytesseract's own PNG encoding takes longer.
    with tempfile.NamedTemporaryFile(suffix=".pgm") as page_file:
        image.save(page_file, format="PPM")
        page_file.flush()
        return _tesseract(page_file.name, job)


def _tesseract(path: str, job: PageJob) -> tuple[str, float | None]:
    try:
        data = pytesseract.image_to_data(path, lang=job.language, config=TESSERACT_CONFIG, timeout=job.timeout_s,
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
