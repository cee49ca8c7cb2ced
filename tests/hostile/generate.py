"""Hostile inputs of every class found by the audit of issue 9, written small on disk.

Each writer returns the path it wrote. `write_all(folder)` writes every class plus the good
files of tests/data, and says which names are good (must be stored) and which are hostile
(stored or quarantined, never a crash). Run as a script to fill a folder by hand:
    python -m tests.hostile.generate /tmp/hostile
"""
from __future__ import annotations

import hashlib
import io
import shutil
import struct
import sys
import zlib
from email.message import EmailMessage
from pathlib import Path

from PIL import Image

DATA = Path(__file__).resolve().parents[1] / "data"
GOOD = ["letter_scan.png", "text_layer.pdf", "email_with_pdf.eml"]


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


def png_bytes(width: int, height: int) -> bytes:
    """A 1-bit white PNG of any size, compressed row by row (a 20000×20000 one is about 50 kB)."""
    compressor, row = zlib.compressobj(9), b"\x00" + b"\xff" * ((width + 7) // 8)
    body = b"".join(compressor.compress(row) for _ in range(height)) + compressor.flush()
    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", header) + _chunk(b"IDAT", body) + _chunk(b"IEND", b"")


def pdf_bytes(side_points: int) -> bytes:
    """A one-page PDF whose page is `side_points` square, with a few words (no OCR needed to see it)."""
    content = b"BT /F1 24 Tf 72 72 Td (Page immense) Tj ET"
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
               b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 %d %d] /Contents 4 0 R "
               b"/Resources << /Font << /F1 5 0 R >> >> >>" % (side_points, side_points),
               b"<< /Length %d >>\nstream\n%s\nendstream" % (len(content), content),
               b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"]
    out, offsets = io.BytesIO(), []
    out.write(b"%PDF-1.4\n")
    for number, body in enumerate(objects, 1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n%s\nendobj\n" % (number, body))
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    out.write(b"".join(b"%010d 00000 n \n" % offset for offset in offsets))
    out.write(b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref))
    return out.getvalue()


def blank_pdf_bytes(side_points: int) -> bytes:
    """A page with no text layer at all, so it is rendered for OCR (the 964-byte, 3000-point class)."""
    return pdf_bytes(side_points).replace(b"(Page immense) Tj", b"() Tj")


def tiff_bytes(pages: int) -> bytes:
    """A multi-page TIFF of blank A4 pages at 100 dpi, compressed (a few kB)."""
    frames = [Image.new("1", (827, 1169), 1) for _ in range(pages)]
    out = io.BytesIO()
    frames[0].save(out, format="TIFF", save_all=True, append_images=frames[1:], compression="group4")
    return out.getvalue()


def email_bytes(subject: str, body: str, attachments: list[tuple[str, str, bytes]] = ()) -> bytes:
    message = EmailMessage()
    message["From"], message["To"] = "Habitant <habitant@example.org>", "courrier@grandbesancon.fr"
    message["Subject"], message["Message-ID"] = subject, f"<{hashlib.sha256((subject + body[:50]).encode()).hexdigest()[:24]}@example.org>"
    message["Date"] = "Thu, 03 Dec 2026 08:00:00 +0100"
    message.set_content(body)
    for name, content_type, raw in attachments:
        main, sub = content_type.split("/")
        message.add_attachment(raw, maintype=main, subtype=sub, filename=name)
    if attachments:
        message.set_boundary("triage-hostile-boundary")  # the same files written twice are the same bytes
    return message.as_bytes()


def nested_mime_bytes(depth: int) -> bytes:
    """An email whose multiparts are nested `depth` deep (written by hand: the library would recurse)."""
    lines = [b"From: habitant@example.org", b"To: courrier@grandbesancon.fr", b"Subject: imbrication",
             b"Message-ID: <nested@example.org>", b"MIME-Version: 1.0"]
    for level in range(depth):
        lines += [b'Content-Type: multipart/mixed; boundary="b%d"' % level, b"", b"--b%d" % level]
    lines += [b"Content-Type: text/plain", b"", b"Fuite d'eau rue de Vesoul 25000 Besancon"]
    for level in reversed(range(depth)):
        lines += [b"--b%d--" % level]
    return b"\r\n".join(lines) + b"\r\n"


def hostile_files() -> dict[str, bytes]:
    """Every class of issue 9, by file name; the ones ending in `-ok` are legitimate and must be stored."""
    huge_png = png_bytes(20_000, 20_000)
    long_body = ("Bonjour, je signale une fuite d'eau rue de Vesoul à Besançon. " * 18_000)[:1_100_000]
    return {
        "pixels-20000.png": huge_png,
        "pixels-20000-joint.eml": email_bytes("Photo de la fuite", "Voir la photo jointe.",
                                              [("fuite.png", "image/png", huge_png)]),
        "page-10000-points.pdf": pdf_bytes(10_000),
        "page-3000-points.pdf": blank_pdf_bytes(3_000),
        "etroite-8x600.png": png_bytes(8, 600),
        "mime-1000.eml": nested_mime_bytes(1000),
        "long-1100k-ok.eml": email_bytes("Fuite d'eau rue de Vesoul", long_body),
        "nul-ok.eml": email_bytes("Bac jaune\x00 non collecté", "Mon bac jaune\x00 n'a pas été collecté. 25220 Thise"),
        "tiff-10x40.eml": email_bytes("Dossier scanné", "Ci-joint le dossier.",
                                      [(f"dossier-{n}.tif", "image/tiff", tiff_bytes(40)) for n in range(10)]),
        "tronque.pdf": (DATA / "text_layer.pdf").read_bytes()[:400],
        "tronque.png": (DATA / "letter_scan.png").read_bytes()[:300],
        "charabia.pdf": b"%PDF-1.7\n" + bytes(range(256)) * 8,
    }


def write_all(folder: Path) -> tuple[list[str], list[str]]:
    """Write the hostile files and copies of the good test files; (good names, hostile names)."""
    folder.mkdir(parents=True, exist_ok=True)
    files = hostile_files()
    for name, raw in files.items():
        (folder / name).write_bytes(raw)
    for name in GOOD:
        shutil.copy2(DATA / name, folder / name)
    good = GOOD + [n for n in files if "-ok." in n]
    return good, [n for n in files if "-ok." not in n]


if __name__ == "__main__":
    good, hostile = write_all(Path(sys.argv[1]))
    print(f"{len(good)} bons fichiers, {len(hostile)} fichiers hostiles dans {sys.argv[1]}")
