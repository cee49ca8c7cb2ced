"""One wrapper per external program: a mandatory timeout, failures turned into our own errors."""
from __future__ import annotations

import shutil
import subprocess

from pipeline.errors import ItemError, MissingProgramError

INSTALL_HINTS = {
    "tesseract": "apt-get install tesseract-ocr tesseract-ocr-fra",
    "pdftotext": "apt-get install poppler-utils",
    "pdftoppm": "apt-get install poppler-utils",
    "pdfinfo": "apt-get install poppler-utils",
    "pdfimages": "apt-get install poppler-utils",
}


def require_program(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise MissingProgramError(f"programme introuvable : {name}", hint=INSTALL_HINTS.get(name))
    return path


def run_program(args: list[str], *, timeout: float, stdin: bytes | None = None) -> bytes:
    """Run a program and return its stdout; a bad input or a timeout is an ItemError."""
    require_program(args[0])
    try:
        done = subprocess.run(args, input=stdin, capture_output=True, timeout=timeout, check=False)
    except subprocess.TimeoutExpired as exc:
        raise ItemError(f"{args[0]} n'a pas terminé en {timeout:.0f} s") from exc
    if done.returncode != 0:
        message = done.stderr.decode("utf-8", "replace").strip().splitlines()
        raise ItemError(f"{args[0]} a échoué : {message[-1] if message else 'code ' + str(done.returncode)}")
    return done.stdout


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
