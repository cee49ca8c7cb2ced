"""Minimal PDF writer (image-only scans and born-digital text PDFs)."""
from __future__ import annotations

import zlib

import numpy as np
from PIL import Image
from samples.common import PAGE_H, PAGE_W
from samples.layout import FAMILIES, Letter, Op, layout
from samples.raster import jpeg_bytes, photo_effect, render_pages, scan_effect


def pdf_string(text: str) -> bytes:
    out = bytearray(b"(")
    for byte in text.encode("cp1252", errors="replace"):
        if byte in (0x28, 0x29, 0x5C):
            out += b"\\" + bytes([byte])
        elif byte < 32 or byte > 126:
            out += f"\\{byte:03o}".encode()
        else:
            out.append(byte)
    return bytes(out + b")")


class PdfFile:
    def __init__(self):
        self.objects: list[bytes | None] = []

    def add(self, body: bytes | None = None) -> int:
        self.objects.append(body)
        return len(self.objects)

    def set(self, number: int, body: bytes) -> None:
        self.objects[number - 1] = body

    @staticmethod
    def stream(entries: bytes, data: bytes) -> bytes:
        return b"<< " + entries + b" /Length %d >>\nstream\n" % len(data) + data + b"\nendstream"

    def build(self, root: int, info: int) -> bytes:
        out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
        offsets = []
        for number, body in enumerate(self.objects, 1):
            offsets.append(len(out))
            out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
        xref = len(out)
        out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(self.objects) + 1)
        out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
        out += b"trailer\n<< /Size %d /Root %d 0 R /Info %d 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
            len(self.objects) + 1, root, info, xref)
        return bytes(out)

    def info(self, title: str, date: str, creator: str) -> int:
        return self.add(b"<< /Title " + pdf_string(title) + b" /Creator " + pdf_string(creator)
                        + b" /Producer (triage tools/make_samples.py) /CreationDate (D:" + date.encode() + b")>>")


def image_pdf(pages: list[tuple[bytes, int, int, int]], title: str, date: str,
              creator: str = "Scanner") -> bytes:
    """pages: (jpeg, width_px, height_px, dpi) with grey JPEGs; no text layer at all."""
    pdf = PdfFile()
    catalog, tree = pdf.add(), pdf.add()
    kids = []
    for jpeg, w, h, dpi in pages:
        image = pdf.add(PdfFile.stream(b"/Type /XObject /Subtype /Image /Width %d /Height %d /ColorSpace "
                                       b"/DeviceGray /BitsPerComponent 8 /Filter /DCTDecode" % (w, h), jpeg))
        pw, ph = w * 72 / dpi, h * 72 / dpi
        content = pdf.add(PdfFile.stream(b"", b"q %.2f 0 0 %.2f 0 0 cm /Im0 Do Q" % (pw, ph)))
        kids.append(pdf.add(b"<< /Type /Page /Parent %d 0 R /MediaBox [0 0 %.2f %.2f] /Resources "
                            b"<< /XObject << /Im0 %d 0 R >> >> /Contents %d 0 R >>" % (tree, pw, ph, image, content)))
    pdf.set(catalog, b"<< /Type /Catalog /Pages %d 0 R >>" % tree)
    pdf.set(tree, b"<< /Type /Pages /Kids [" + b" ".join(b"%d 0 R" % k for k in kids) + b"] /Count %d >>" % len(kids))
    return pdf.build(catalog, pdf.info(title, date, creator))


def text_pdf(pages: list[list[Op]], family: str, title: str, date: str, creator: str = "Writer") -> bytes:
    fam = FAMILIES[family]
    pdf = PdfFile()
    catalog, tree = pdf.add(), pdf.add()
    fonts = [pdf.add(b"<< /Type /Font /Subtype /Type1 /BaseFont /%s /Encoding /WinAnsiEncoding >>" % name.encode())
             for name in (fam.pdf_regular, fam.pdf_bold)]
    kids = []
    for ops in pages:
        stream = bytearray()
        for op in ops:
            if op.kind == "text":
                stream += b"BT /F%d %.1f Tf 1 0 0 1 %.2f %.2f Tm " % (2 if op.bold else 1, op.size, op.x, PAGE_H - op.y)
                stream += pdf_string(op.text) + b" Tj ET\n"
            elif op.kind == "rule":
                stream += b"0.6 w %.2f %.2f m %.2f %.2f l S\n" % (op.x, PAGE_H - op.y, op.x2, PAGE_H - op.y)
        content = pdf.add(PdfFile.stream(b"/Filter /FlateDecode", zlib.compress(bytes(stream), 9)))
        kids.append(pdf.add(b"<< /Type /Page /Parent %d 0 R /MediaBox [0 0 %.2f %.2f] /Resources << /Font "
                            b"<< /F1 %d 0 R /F2 %d 0 R >> >> /Contents %d 0 R >>"
                            % (tree, PAGE_W, PAGE_H, fonts[0], fonts[1], content)))
    pdf.set(catalog, b"<< /Type /Catalog /Pages %d 0 R >>" % tree)
    pdf.set(tree, b"<< /Type /Pages /Kids [" + b" ".join(b"%d 0 R" % k for k in kids) + b"] /Count %d >>" % len(kids))
    return pdf.build(catalog, pdf.info(title, date, creator))


def scanned_pdf(letter: Letter, family: str, dpi: int, seed: int, quality: int, title: str, date: str,
                size: float = 11.0) -> bytes:
    rng = np.random.default_rng(seed)
    pages = []
    for image in render_pages(layout(letter, family, size), family, dpi, seed):
        scan = scan_effect(image, rng, angle=float(rng.uniform(-0.45, 0.45)))
        pages.append((jpeg_bytes(scan, quality, dpi), scan.width, scan.height, dpi))
    return image_pdf(pages, title, date)


def photo(letter: Letter, family: str, seed: int, colour: bool, light: str, size: float = 11.5,
          dpi: int = 150) -> Image.Image:
    """A phone photo of a letter lying on a table: rotation, shadow, uneven light, noise.

    Colour photos go to JPEG; grey ones go to PNG with less noise, posterised, to stay small."""
    rng = np.random.default_rng(seed)
    page = render_pages(layout(letter, family, size), family, dpi, seed)[0]
    angle = float(rng.choice([-1, 1]) * rng.uniform(1.2, 2.6))
    if colour:
        return photo_effect(page, rng, angle, True, light, noise=3.5)
    return photo_effect(page, rng, angle, False, light, noise=1.2, step=3)
