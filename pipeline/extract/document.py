"""A Document to an Item: emails are parsed, scans and PDFs become parts, pages wait for OCR.

Extraction happens in two steps so the batch can spread OCR pages over a process pool:
`read_document` (cheap, in the main process) then `ocr_jobs` → pool → `apply_ocr`.

Budgets ([limits]) are checked here, from headers and pdfinfo, before any page is decoded. A file
that is itself over budget (a dropped scan, or the whole message) is quarantined; an email's
attachment over budget is left unread with its reason, and the email is stored for review: the
clerk gets the message and the original attachment rather than nothing.
"""
from __future__ import annotations

from dataclasses import replace

from pipeline.config import LimitsSettings, OcrSettings
from pipeline.errors import BudgetExceeded, ItemError
from pipeline.extract import pdf
from pipeline.extract.budgets import (check_mime_depth, check_size, image_frame_count, pdf_page_sizes,
                                      render_dpi)
from pipeline.extract.filetype import sniff
from pipeline.extract.ocr import PageJob, PageResult
from pipeline.item import Document, Item, Part

DEFAULT_LIMITS = LimitsSettings()


def read_document(document: Document, ocr: OcrSettings, limits: LimitsSettings = DEFAULT_LIMITS) -> Item:
    """Parse an email or a scan; PDF text layers are read here, other pages are left for OCR."""
    check_size(document.raw, limits)
    content_type = sniff(document.raw, document.filename)
    if content_type == "message/rfc822":
        from pipeline.extract.mail import read_email  # not at the top: OCR workers import this module, never parse mail
        check_mime_depth(document.raw, limits)
        item = read_email(document, limits.max_mime_depth, limits.max_attachments)
    else:
        item = Item(document=document, channel="courrier", received_at=document.received_at,
                    parts=(Part(name=document.filename, content_type=content_type, role="scan",
                                raw=document.raw),))
    parts, pages_left = [], limits.max_pages_per_item
    for part in item.parts:
        part, pages = _read_text_layer(part, ocr, limits)
        if pages > pages_left:
            part, pages = _failed(part, BudgetExceeded(
                f"budget de {limits.max_pages_per_item} pages par envoi dépassé", "too-many-pages"))
        pages_left -= pages
        parts.append(part)
    return item.with_(parts=tuple(parts))


def _read_text_layer(part: Part, ocr: OcrSettings, limits: LimitsSettings) -> tuple[Part, int]:
    """A part with its PDF text layer read if it has one, and its page count (checked against the budgets)."""
    if not part.needs_ocr:
        return part, 0
    try:
        count = len(page_sizes(part, limits))
        if part.content_type != "application/pdf":
            return part, count
        layer = pdf.text_layer(part.raw, count, ocr.min_text_chars_per_page)
    except ItemError as exc:
        return _failed(part, exc)
    return (replace(part, pages=tuple(layer)) if layer else part), count


def page_sizes(part: Part, limits: LimitsSettings) -> list[tuple[float, float] | None]:
    """One entry per page: a PDF page's size in points, None for an image frame (checked from its header)."""
    if part.content_type == "application/pdf":
        return pdf_page_sizes(part.raw, limits)
    return [None] * image_frame_count(part.raw, limits)


def ocr_jobs(item: Item, ocr: OcrSettings, limits: LimitsSettings = DEFAULT_LIMITS) -> list[PageJob]:
    """Every page of every part that still has no text."""
    jobs = []
    for index, part in enumerate(item.parts):
        if not part.needs_ocr or part.pages:
            continue
        try:
            sizes = page_sizes(part, limits)
        except ItemError as exc:
            raise type(exc)(f"{part.name} : {exc}", exc.slug) from exc
        jobs.extend(PageJob(key=f"{index}", content_type=part.content_type, raw=part.raw, page_number=n,
                            dpi=ocr.dpi if size is None else render_dpi(size, ocr.dpi, limits.max_pixels_per_page),
                            language=ocr.language, timeout_s=min(ocr.page_timeout_s, limits.ocr_seconds_per_item),
                            max_pixels=limits.max_pixels_per_page, page_points=size)
                    for n, size in enumerate(sizes, 1))
    return jobs


def apply_ocr(item: Item, results: list[PageResult]) -> Item:
    """Put OCR results back on their parts. A failed scan is an ItemError; a failed attachment is noted.

    A page that killed its OCR worker condemns the whole document, attachment or not: it is kept in
    quarantine rather than stored half-read, since retrying it would kill a worker again."""
    parts = list(item.parts)
    by_part: dict[int, list[PageResult]] = {}
    for result in results:
        by_part.setdefault(int(result.key), []).append(result)
    for index, page_results in by_part.items():
        part = parts[index]
        failed = [r for r in page_results if r.error]
        for result in failed:
            if result.slug == "ocr-worker-died":
                raise ItemError(f"{part.name} : {result.error}", result.slug)
        if failed and part.role == "scan":
            _failed(part, ItemError(failed[0].error, failed[0].slug))
        pages = sorted((r.page for r in page_results if r.page), key=lambda p: p.number)
        # An attachment keeps the pages that were read; the first failure is the clerk's review reason.
        parts[index] = replace(part, pages=tuple(pages), error=failed[0].error if failed else None)
    return item.with_(parts=tuple(parts))


def _failed(part: Part, exc: ItemError) -> tuple[Part, int]:
    """A scan that cannot be read sinks its document; an attachment is only noted as unread."""
    if part.role == "scan":
        raise type(exc)(f"{part.name} : {exc}", exc.slug) from exc
    return replace(part, pages=(), error=str(exc)), 0
