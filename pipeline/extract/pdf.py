"""PDF text layers, read with poppler's pdftotext; scanned pages are left for OCR."""
from __future__ import annotations

from pipeline.errors import ItemError
from pipeline.extract.programs import run_program
from pipeline.item import Page

PAGE_BREAK = "\f"


def page_count(raw: bytes, timeout: float = 30) -> int:
    """Number of pages, or ItemError when poppler cannot open the file."""
    info = run_program(["pdfinfo", "-"], stdin=raw, timeout=timeout).decode("utf-8", "replace")
    for line in info.splitlines():
        if line.startswith("Pages:"):
            return int(line.split()[1])
    raise ItemError("PDF illisible : nombre de pages inconnu")


def text_layer(raw: bytes, pages: int, min_chars: int, timeout: float = 60) -> list[Page] | None:
    """The text of every page when the PDF has a usable text layer, else None (needs OCR)."""
    out = run_program(["pdftotext", "-layout", "-enc", "UTF-8", "-", "-"], stdin=raw, timeout=timeout)
    texts = out.decode("utf-8", "replace").split(PAGE_BREAK)[:pages]
    if sum(len(t.strip()) for t in texts) < min_chars * max(pages, 1):
        return None
    return [Page(number=i + 1, text=_tidy(t), method="text_layer") for i, t in enumerate(texts)]


def _tidy(text: str) -> str:
    """pdftotext -layout pads columns with spaces; keep lines, drop the padding."""
    lines = [" ".join(line.split()) for line in text.splitlines()]
    return "\n".join(lines).strip()


def scan_resolution(raw: bytes, page: int, timeout: float = 30) -> int | None:
    """The resolution (dpi) of the largest image on a page, or None when the page has no image."""
    listing = run_program(["pdfimages", "-list", "-f", str(page), "-l", str(page), "-"], stdin=raw, timeout=timeout)
    best = None
    for line in listing.decode("utf-8", "replace").splitlines()[2:]:
        fields = line.split()
        if len(fields) >= 13 and fields[2] == "image" and fields[12].isdigit():
            area, dpi = int(fields[3]) * int(fields[4]), int(fields[12])
            if best is None or area > best[0]:
                best = (area, dpi)
    return best[1] if best else None
