"""Extraction on real files: email bodies and charsets, PDF text layers, real tesseract OCR."""
from dataclasses import replace

import pytest

from pipeline.config import OcrSettings
from pipeline.errors import ItemError
from pipeline.extract.document import apply_ocr, ocr_jobs, read_document
from pipeline.extract.ocr import ocr_page
from pipeline.item import Document
from tests.conftest import DATA

OCR = OcrSettings(workers=1, page_timeout_s=60)


def document(name: str) -> Document:
    return Document("test", str(DATA / name), name, (DATA / name).read_bytes())


def read_with_ocr(name: str):
    item = read_document(document(name), OCR)
    return apply_ocr(item, [ocr_page(job) for job in ocr_jobs(item, OCR)])


def test_scanned_letter_is_read_by_tesseract_with_a_confidence():
    item = read_with_ocr("letter_scan.png")
    page = item.parts[0].pages[0]
    assert page.method == "ocr"
    assert "Thise" in item.text
    assert page.confidence is not None and page.confidence > 60


def test_two_page_scan_gives_two_pages_in_order():
    item = read_with_ocr("two_pages_scan.pdf")
    pages = item.parts[0].pages
    assert [p.number for p in pages] == [1, 2]
    assert "Chalezeule" in pages[0].text
    assert "deux" in pages[1].text.lower()


def test_pdf_with_text_layer_is_read_without_ocr():
    item = read_document(document("text_layer.pdf"), OCR)
    assert ocr_jobs(item, OCR) == []
    assert item.parts[0].pages[0].method == "text_layer"
    assert "Belfort" in item.text


def test_email_attachment_is_a_part_of_the_item():
    item = read_document(document("email_with_pdf.eml"), OCR)
    roles = [p.role for p in item.parts]
    assert roles[0] == "body" and "attachment" in roles
    assert "Belfort" in item.text  # the attached PDF's text layer
    assert item.sender_email and item.subject


def test_html_only_latin1_email_is_rendered_to_text():
    item = read_document(document("html_only.eml"), OCR)
    assert item.parts[0].role == "body"
    assert "<" not in item.parts[0].text
    assert any(ch in item.text for ch in "éèàç")


def test_broken_mime_is_read_as_far_as_possible():
    item = read_document(document("broken_mime.eml"), OCR)
    assert item.text.strip()


@pytest.mark.parametrize("name, reason", [("corrupt.pdf", "pdfinfo"), ("empty.pdf", "vide"),
                                          ("not_a_document.pdf", "non pris en charge")])
def test_unreadable_files_raise_an_item_error_with_a_clear_reason(name, reason):
    with pytest.raises(ItemError, match=reason):
        read_document(document(name), OCR)


def test_blank_page_gives_no_text_but_no_error():
    item = read_with_ocr("blank_page.png")
    assert item.parts[0].pages[0].text.strip() == ""


def test_ocr_timeout_is_reported_as_the_page_error():
    item = read_document(document("letter_scan.png"), OCR)
    job = replace(ocr_jobs(item, OCR)[0], timeout_s=0.01)
    result = ocr_page(job)
    assert result.page is None and "trop long" in result.error
    with pytest.raises(ItemError, match="trop long"):
        apply_ocr(item, [result])


@pytest.mark.parametrize("charset", ["utf-8", "cp1252"])
def test_raw_8bit_headers_keep_their_accents(charset):
    """Modern clients send UTF-8 headers unencoded (RFC 6532), older ones raw Windows-1252."""
    raw = ("From: Hélène Müller <helene@example.fr>\r\nTo: courrier@grandbesancon.fr\r\n"
           "Subject: Égout bouché rue de Vesoul\r\nDate: Tue, 01 Dec 2026 09:00:00 +0100\r\n"
           "Content-Type: text/plain; charset=utf-8\r\n\r\nBonjour.\r\n").encode(charset)
    item = read_document(Document("test", "raw.eml", "raw.eml", raw), OCR)
    assert item.subject == "Égout bouché rue de Vesoul"
    assert item.sender == "Hélène Müller"
