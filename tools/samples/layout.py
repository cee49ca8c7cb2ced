"""Fonts and letter layout (in PDF points, shared by the image and the text-PDF renderers)."""
from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from PIL import ImageFont
from samples.common import CLOSING, FONT_DIRS, GBM, PAGE_H, PAGE_W


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
