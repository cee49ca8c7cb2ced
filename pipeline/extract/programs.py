"""One wrapper per external program (poppler, tesseract), used by the pipeline and the web page alike.

Every call has a mandatory timeout, and the same three outcomes besides success: the program is
missing (MissingProgramError, with the apt-get line that installs it), it ran too long or it failed
(ItemError with the slug "<program>-timeout" or "<program>-failed": the document is to blame).
"""
from __future__ import annotations

import io
import re
import shutil
import subprocess
from dataclasses import dataclass

from PIL import Image

from pipeline.errors import ItemError, MissingProgramError

INSTALL_HINTS = {
    "tesseract": "apt-get install tesseract-ocr tesseract-ocr-fra",
    "pdftotext": "apt-get install poppler-utils",
    "pdftoppm": "apt-get install poppler-utils",
    "pdfinfo": "apt-get install poppler-utils",
    "pdfimages": "apt-get install poppler-utils",
}
PAGE_SIZE = re.compile(r"^Page\s+\d+ size:\s+([\d.]+) x ([\d.]+) pts", re.MULTILINE)
TSV_COLUMNS = ("level", "page_num", "block_num", "par_num", "line_num", "word_num",
               "left", "top", "width", "height", "conf", "text")


def require_program(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise MissingProgramError(f"programme introuvable : {name}", hint=INSTALL_HINTS.get(name))
    return path


def run_program(args: list[str], *, timeout: float, stdin: bytes | None = None) -> bytes:
    """Run a program and return its stdout; a bad input or a timeout is an ItemError."""
    name = args[0]
    require_program(name)
    try:
        done = subprocess.run(args, input=stdin, capture_output=True, timeout=timeout, check=False)
    except subprocess.TimeoutExpired as exc:
        raise ItemError(f"{name} n'a pas terminé en {timeout:.0f} s", f"{name}-timeout") from exc
    if done.returncode != 0:
        message = done.stderr.decode("utf-8", "replace").strip().splitlines()
        reason = message[-1][:200] if message else f"code {done.returncode}"
        raise ItemError(f"{name} a échoué : {reason}", f"{name}-failed")
    return done.stdout


@dataclass(frozen=True)
class PdfInfo:
    pages: int
    page_sizes: tuple[tuple[float, float], ...]  # (width, height) in points, of the first pages asked for


def pdfinfo(raw: bytes, *, timeout: float, up_to: int = 1) -> PdfInfo:
    """Page count and the size of pages 1..up_to, without rendering anything."""
    info = run_program(["pdfinfo", "-f", "1", "-l", str(max(up_to, 1)), "-"], stdin=raw,
                       timeout=timeout).decode("utf-8", "replace")
    pages = re.search(r"^Pages:\s+(\d+)", info, re.MULTILINE)
    if pages is None:
        raise ItemError("PDF illisible : nombre de pages inconnu", "pdf-unreadable")
    sizes = tuple((float(w), float(h)) for w, h in PAGE_SIZE.findall(info))
    return PdfInfo(int(pages.group(1)), sizes)


def pdftotext(raw: bytes, *, timeout: float) -> str:
    return run_program(["pdftotext", "-layout", "-enc", "UTF-8", "-", "-"], stdin=raw,
                       timeout=timeout).decode("utf-8", "replace")


def pdfimages_list(raw: bytes, page: int, *, timeout: float) -> str:
    return run_program(["pdfimages", "-list", "-f", str(page), "-l", str(page), "-"], stdin=raw,
                       timeout=timeout).decode("utf-8", "replace")


def pdftoppm(raw: bytes, page: int, *, dpi: float, timeout: float, gray: bool = False) -> Image.Image:
    """One page rendered at `dpi`; callers choose a dpi that keeps the page within its pixel budget."""
    args = ["pdftoppm", "-f", str(page), "-l", str(page), "-r", f"{dpi:.2f}"]
    out = run_program(args + (["-gray"] if gray else []) + ["-"], stdin=raw, timeout=timeout)
    if not out:
        raise ItemError("page vide ou illisible", "pdf-unreadable")
    image = Image.open(io.BytesIO(out))
    image.load()
    return image


def tesseract(image_path: str, *, language: str, timeout: float, config: tuple[str, ...] = ()) -> dict[str, list]:
    """Word boxes as tesseract's TSV columns (the layout pytesseract's image_to_data gives)."""
    try:
        out = run_program(["tesseract", image_path, "stdout", "-l", language, *config, "tsv"], timeout=timeout)
    except ItemError as exc:
        if exc.slug == "tesseract-timeout":
            raise ItemError(f"OCR trop long (> {timeout:g} s)", "ocr-timeout") from exc
        raise ItemError(str(exc), "ocr-failed") from exc
    data: dict[str, list] = {column: [] for column in TSV_COLUMNS}
    for line in out.decode("utf-8", "replace").splitlines()[1:]:
        fields = line.split("\t", len(TSV_COLUMNS) - 1)
        if len(fields) < len(TSV_COLUMNS) - 1:
            continue
        fields += [""] * (len(TSV_COLUMNS) - len(fields))
        for column, value in zip(TSV_COLUMNS, fields):
            data[column].append(value if column in ("text", "conf") else int(value))
    return data


def tesseract_languages(timeout: float = 20.0) -> set[str]:
    """The languages tesseract can read (`tesseract --list-langs`)."""
    try:
        output = run_program(["tesseract", "--list-langs"], timeout=timeout)
    except ItemError as exc:
        raise MissingProgramError(f"tesseract ne répond pas : {exc}", hint=INSTALL_HINTS["tesseract"]) from exc
    return {line.strip() for line in output.decode("utf-8", "replace").splitlines()[1:] if line.strip()}


def require_ocr_programs(language: str) -> None:
    """Before a run: the programs every scan needs, and tesseract's data for the language."""
    for name in ("pdftoppm", "pdftotext", "pdfinfo", "tesseract"):
        require_program(name)
    if language not in tesseract_languages():
        raise MissingProgramError(f"tesseract n'a pas les données de la langue « {language} »",
                                  hint=f"apt-get install tesseract-ocr-{language}")
