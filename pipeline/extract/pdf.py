"""PDF text layers, read with poppler's pdftotext; scanned pages are left for OCR."""
from __future__ import annotations

from pipeline.extract.programs import pdfimages_list, pdftotext
from pipeline.item import Page

PAGE_BREAK = "\f"


def text_layer(raw: bytes, pages: int, min_chars: int, timeout: float = 60) -> list[Page] | None:
    """The text of every page when the PDF has a usable text layer, else None (needs OCR)."""
    texts = pdftotext(raw, timeout=timeout).split(PAGE_BREAK)[:pages]
    if sum(len(t.strip()) for t in texts) < min_chars * max(pages, 1):
        return None
    return [Page(number=i + 1, text=_tidy(t), method="text_layer") for i, t in enumerate(texts)]


def _tidy(text: str) -> str:
    """pdftotext -layout pads columns with spaces; keep lines, drop the padding."""
    lines = [" ".join(line.split()) for line in text.splitlines()]
    return "\n".join(lines).strip()


def scan_resolution(raw: bytes, page: int, timeout: float = 30) -> int | None:
    """The resolution (dpi) of the largest image on a page, or None when the page has no image."""
    best = None
    for line in pdfimages_list(raw, page, timeout=timeout).splitlines()[2:]:
        fields = line.split()
        if len(fields) >= 13 and fields[2] == "image" and fields[12].isdigit():
            area, dpi = int(fields[3]) * int(fields[4]), int(fields[12])
            if best is None or area > best[0]:
                best = (area, dpi)
    return best[1] if best else None
