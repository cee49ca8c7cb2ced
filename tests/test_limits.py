"""Budgets per document on generated hostile inputs: each is refused or bounded before the costly work."""
import io
import struct
import zlib
from email.mime.application import MIMEApplication
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText

import pytest
from PIL import Image

from pipeline.config import LimitsSettings, OcrSettings
from pipeline.errors import BudgetExceeded
from pipeline.extract.document import ocr_jobs, read_document
from pipeline.extract.ocr import _clean, ocr_page
from pipeline.extract.pool import extract, ocr_pool
from pipeline.item import Document
from pipeline.web.originals import page_count, page_png

OCR = OcrSettings(workers=2, page_timeout_s=60)


def png_header_only(width: int, height: int) -> bytes:
    """A PNG that declares its size and holds almost no data: what a decompression bomb looks like to a header."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(b"\x00" * 64)) + chunk(b"IEND", b""))


def one_page_pdf(width_pt: int, height_pt: int) -> bytes:
    content = b"0 g 10 10 100 100 re f"
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>",
               b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
               f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 {width_pt} {height_pt}] /Contents 4 0 R >>".encode(),
               b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream"]
    out, offsets = bytearray(b"%PDF-1.4\n"), []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def email_with(attachments: list[tuple[str, bytes]], body: str = "Bonjour, voici les pièces.") -> bytes:
    message = MIMEMultipart()
    message["From"], message["Subject"] = "Jean Martin <jean@example.fr>", "Pièces jointes"
    message.attach(MIMEText(body, "plain", "utf-8"))
    for name, data in attachments:
        part = MIMEApplication(data, Name=name)
        part["Content-Disposition"] = f'attachment; filename="{name}"'
        message.attach(part)
    return message.as_bytes()


def nested_email(depth: int) -> bytes:
    head = tail = ""
    for level in range(depth):
        head += f'Content-Type: multipart/mixed; boundary="b{level}"\n\n--b{level}\n'
        tail = f"\n--b{level}--\n" + tail
    return ("From: a@example.fr\nSubject: poupées\nMIME-Version: 1.0\n" + head
            + "Content-Type: text/plain\n\nbonjour\n" + tail).encode()


def blank_tiff(pages: int) -> bytes:
    frames = [Image.new("1", (200, 280), 1) for _ in range(pages)]
    buffer = io.BytesIO()
    frames[0].save(buffer, "TIFF", compression="group4", save_all=True, append_images=frames[1:])
    return buffer.getvalue()


def doc(name: str, raw: bytes) -> Document:
    return Document("test", name, name, raw)


def test_huge_png_alone_is_refused_from_its_header():
    with pytest.raises(BudgetExceeded) as caught:
        read_document(doc("bombe.png", png_header_only(20000, 20000)), OCR)
    assert caught.value.slug == "too-many-pixels"
    assert str(caught.value) == "bombe.png : image trop grande (bien plus de pixels que le budget par page)"


def test_huge_png_attached_to_an_email_leaves_the_email_readable_for_review():
    item = read_document(doc("m.eml", email_with([("bombe.png", png_header_only(20000, 20000))])), OCR)
    attachment = item.parts[1]
    assert "trop grande" in attachment.error
    assert "voici les pièces" in item.text
    assert ocr_jobs(item, OCR) == []  # nothing left to decode


def test_pdf_with_a_10000_point_page_is_refused_before_rendering():
    with pytest.raises(BudgetExceeded) as caught:
        read_document(doc("affiche.pdf", one_page_pdf(10000, 10000)), OCR)
    assert caught.value.slug == "page-too-large"


def test_tiny_pdf_with_a_3000_point_page_is_rendered_within_the_pixel_budget():
    raw = one_page_pdf(3000, 3000)
    assert len(raw) < 1000
    limits = LimitsSettings(max_pixels_per_page=4_000_000)
    item = read_document(doc("grand.pdf", raw), OCR, limits)
    [job] = ocr_jobs(item, OCR, limits)
    assert (3000 / 72 * job.dpi) ** 2 <= 4_000_000  # 300 dpi would be 156 million pixels
    result = ocr_page(job)
    assert result.error is None


def test_narrow_png_is_not_blown_up_past_the_pixel_budget():
    buffer = io.BytesIO()
    Image.new("L", (8, 600), 255).save(buffer, "PNG", optimize=True)
    assert len(buffer.getvalue()) < 200
    cleaned = _clean(Image.open(io.BytesIO(buffer.getvalue())), max_pixels=10_000)
    assert cleaned.width * cleaned.height <= 10_000  # the old clean-up made it 2400 × 180000
    job = ocr_jobs(read_document(doc("fine.png", buffer.getvalue()), OCR), OCR)[0]
    assert ocr_page(job).error is None


def test_mime_nested_a_thousand_deep_is_refused_without_recursion_error():
    with pytest.raises(BudgetExceeded) as caught:
        read_document(doc("poupees.eml", nested_email(1000)), OCR)
    assert caught.value.slug == "mime-too-deep"


def test_mime_nested_within_the_budget_is_read():
    item = read_document(doc("ok.eml", nested_email(5)), OCR)
    assert "bonjour" in item.text


def test_long_plain_text_email_is_stored_whole_and_understood_from_its_beginning(stages):
    body = "Objet : fuite d'eau rue des Lilas à Thise\n\n" + "Le compteur fuit toujours. " * 42_000
    raw = f"From: a@example.fr\nSubject: fuite\nContent-Type: text/plain; charset=utf-8\n\n{body}".encode()
    assert len(raw) > 1_100_000
    item = read_document(doc("long.eml", raw), OCR)
    assert len(item.text) > 1_000_000  # stored whole
    understood = stages.understand(item)
    [classified] = stages.model.classify([understood])
    assert classified.competences


def test_message_over_the_byte_budget_is_refused():
    with pytest.raises(BudgetExceeded) as caught:
        read_document(doc("gros.eml", nested_email(2)), OCR, LimitsSettings(max_message_bytes=100))
    assert caught.value.slug == "too-large"


def test_ten_tiffs_of_forty_pages_are_cut_by_the_page_budget():
    raw = email_with([(f"scan{n}.tif", blank_tiff(40)) for n in range(10)])
    item = read_document(doc("tiffs.eml", raw), OCR)
    attachments = [p for p in item.parts if p.role == "attachment"]
    assert [p.error is None for p in attachments] == [True, True] + [False] * 8
    assert "budget de 100 pages" in attachments[2].error
    assert len(ocr_jobs(item, OCR)) == 80


def test_a_scan_over_the_page_budget_is_quarantined():
    with pytest.raises(BudgetExceeded) as caught:
        read_document(doc("long.tif", blank_tiff(40)), OCR, LimitsSettings(max_pages_per_item=30))
    assert caught.value.slug == "too-many-pages"


def test_ocr_seconds_per_item_stop_the_pages_of_a_slow_item():
    raw = email_with([(f"scan{n}.tif", blank_tiff(40)) for n in range(2)])
    limits = LimitsSettings(ocr_seconds_per_item=2)
    with ocr_pool(2, limits) as pool:
        [outcome] = extract([doc("tiffs.eml", raw)], OCR, pool)
    assert outcome.item is not None  # the email is stored for review, its unread scans noted
    errors = [p.error for p in outcome.item.parts if p.error]
    assert len(errors) == 2 and any("budget d'OCR de 2 s" in e for e in errors)
    assert all("budget d'OCR" in e or "OCR trop long (> 2 s)" in e for e in errors)


def test_pillow_decompression_bomb_limit_comes_from_the_settings():
    before = Image.MAX_IMAGE_PIXELS
    try:
        with ocr_pool(1, LimitsSettings(max_pixels_per_page=1_234_567)):
            assert Image.MAX_IMAGE_PIXELS == 1_234_567
    finally:
        Image.MAX_IMAGE_PIXELS = before


def test_tesseract_failure_is_reported_as_a_failure_not_a_timeout():
    job = ocr_jobs(read_document(doc("fine.png", png_of_text()), OCR), OCR)[0]
    result = ocr_page(job.__class__(**{**job.__dict__, "language": "xxx"}))
    assert result.slug == "ocr-failed"
    assert "trop long" not in result.error and "tesseract a échoué" in result.error


def png_of_text() -> bytes:
    buffer = io.BytesIO()
    Image.new("L", (600, 200), 255).save(buffer, "PNG")
    return buffer.getvalue()


def test_web_view_of_a_large_pdf_page_stays_within_the_pixel_budget(tmp_path):
    raw = one_page_pdf(3000, 3000)
    limits = LimitsSettings(max_pixels_per_page=500_000)
    assert page_count(raw, "application/pdf", limits) == 1
    image = Image.open(io.BytesIO(page_png(raw, "ab" * 32, "application/pdf", 1, tmp_path, limits=limits)))
    assert image.width * image.height <= 500_000  # 1000 pixels wide would be a million


def test_web_view_of_a_header_only_png_bomb_decodes_nothing(tmp_path):
    with pytest.raises(BudgetExceeded) as caught:
        page_png(png_header_only(20000, 20000), "cd" * 32, "image/png", 1, tmp_path)
    assert caught.value.slug == "too-many-pixels"
