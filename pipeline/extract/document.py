"""A Document to an Item: emails are parsed, scans and PDFs become parts, pages wait for OCR.

Extraction happens in two steps so the batch can spread OCR pages over a process pool:
`read_document` (cheap, in the main process) then `ocr_jobs` → pool → `apply_ocr`.
"""
from __future__ import annotations

import io
from dataclasses import replace

from PIL import Image, UnidentifiedImageError

from pipeline.config import OcrSettings
from pipeline.errors import ItemError
from pipeline.extract import pdf
from pipeline.extract.filetype import sniff
from pipeline.extract.mail import read_email
from pipeline.extract.ocr import PageJob, PageResult
from pipeline.item import Document, Item, Part


def read_document(document: Document, ocr: OcrSettings) -> Item:
    """Parse an email or a scan; PDF text layers are read here, other pages are left for OCR."""
    content_type = sniff(document.raw, document.filename)
    if content_type == "message/rfc822":
        item = read_email(document)
    else:
        item = Item(document=document, channel="courrier", received_at=document.received_at,
                    parts=(Part(name=document.filename, content_type=content_type, role="scan",
                                raw=document.raw),))
    return item.with_(parts=tuple(_read_text_layer(part, ocr) for part in item.parts))


def _read_text_layer(part: Part, ocr: OcrSettings) -> Part:
    """Read a PDF's text layer when it has one; check that anything else can at least be opened."""
    if not part.needs_ocr:
        return part
    if part.content_type != "application/pdf":
        try:
            _page_count(part, ocr)
        except ItemError as exc:
            return _failed(part, exc)
        return part
    try:
        pages = pdf.page_count(part.raw)
        if pages > ocr.max_pages:
            raise ItemError(f"trop de pages ({pages} > {ocr.max_pages})")
        layer = pdf.text_layer(part.raw, pages, ocr.min_text_chars_per_page)
    except ItemError as exc:
        return _failed(part, exc)
    return replace(part, pages=tuple(layer)) if layer else part


def ocr_jobs(item: Item, ocr: OcrSettings) -> list[PageJob]:
    """Every page of every part that still has no text."""
    jobs = []
    for index, part in enumerate(item.parts):
        if not part.needs_ocr or part.pages:
            continue
        try:
            count = _page_count(part, ocr)
        except ItemError as exc:
            raise ItemError(f"{part.name} : {exc}") from exc
        jobs.extend(PageJob(key=f"{index}", content_type=part.content_type, raw=part.raw, page_number=n,
                            dpi=ocr.dpi, language=ocr.language, timeout_s=ocr.page_timeout_s,
                            max_pixels=ocr.max_pixels) for n in range(1, count + 1))
    return jobs


def _page_count(part: Part, ocr: OcrSettings) -> int:
    if part.content_type == "application/pdf":
        count = pdf.page_count(part.raw)
    else:
        try:
            count = getattr(Image.open(io.BytesIO(part.raw)), "n_frames", 1)
        except (UnidentifiedImageError, OSError) as exc:
            raise ItemError("image illisible") from exc
    if count > ocr.max_pages:
        raise ItemError(f"trop de pages ({count} > {ocr.max_pages})")
    if count == 0:
        raise ItemError("document sans page")
    return count


def apply_ocr(item: Item, results: list[PageResult]) -> Item:
    """Put OCR results back on their parts. A failed scan is an ItemError; a failed attachment is noted."""
    parts = list(item.parts)
    by_part: dict[int, list[PageResult]] = {}
    for result in results:
        by_part.setdefault(int(result.key), []).append(result)
    for index, page_results in by_part.items():
        part = parts[index]
        errors = [r.error for r in page_results if r.error]
        if errors and part.role == "scan":
            raise ItemError(f"{part.name} : {errors[0]}")
        if errors:
            parts[index] = _failed(part, ItemError(errors[0]))
            continue
        pages = sorted((r.page for r in page_results), key=lambda p: p.number)
        parts[index] = replace(part, pages=tuple(pages))
    return item.with_(parts=tuple(parts))


def _failed(part: Part, exc: ItemError) -> Part:
    if part.role == "scan":
        raise ItemError(f"{part.name} : {exc}") from exc
    return replace(part, error=str(exc))
