"""Letters from the editable templates (config/letters/*.txt.j2): the text, and a PDF to print.

A template's first line is "Objet : ..."; the rest is the body. The PDF is A4 with the
organisation's letterhead, the recipient block, the date, the subject and the body.
"""
from __future__ import annotations

from datetime import date
from pathlib import Path

import matplotlib
from fpdf import FPDF
from jinja2 import Environment, FileSystemLoader, StrictUndefined, TemplateError

from pipeline.config import LettersSettings
from pipeline.errors import ConfigError

FONT_DIR = Path(matplotlib.get_data_path()) / "fonts" / "ttf"  # DejaVu ships with matplotlib: every accent prints


def render_text(settings: LettersSettings, kind: str, context: dict) -> tuple[str, str]:
    """(subject, body) of a letter of this kind; ConfigError when the template is missing or broken."""
    environment = Environment(loader=FileSystemLoader(settings.templates_dir), undefined=StrictUndefined,
                              trim_blocks=True, keep_trailing_newline=True)
    try:
        text = environment.get_template(f"{kind}.txt.j2").render(**context)
    except TemplateError as exc:
        raise ConfigError(f"modèle de lettre {kind} illisible ({settings.templates_dir}) : {exc}",
                          hint="corrigez le modèle, ou reprenez celui de config/letters") from exc
    first, _, body = text.lstrip().partition("\n")
    if not first.lower().startswith("objet"):
        raise ConfigError(f"le modèle {kind} doit commencer par une ligne « Objet : ... »")
    return first.split(":", 1)[1].strip(), _squeeze(body)


def _squeeze(body: str) -> str:
    """At most one blank line in a row, none at the ends (templates' conditional blocks leave some)."""
    lines, blank = [], False
    for line in body.strip().splitlines():
        if line.strip() or not blank:
            lines.append(line.rstrip())
        blank = not line.strip()
    return "\n".join(lines) + "\n"


def write_pdf(path: Path, settings: LettersSettings, *, recipient: list[str], subject: str, body: str,
              reference: str, on: date) -> Path:
    pdf = FPDF(format="A4")
    pdf.set_margins(22, 20, 22)
    pdf.set_auto_page_break(True, margin=20)
    pdf.add_font("DejaVu", "", str(FONT_DIR / "DejaVuSans.ttf"))
    pdf.add_font("DejaVu", "B", str(FONT_DIR / "DejaVuSans-Bold.ttf"))
    pdf.add_page()
    pdf.set_font("DejaVu", "B", 13)
    pdf.cell(0, 7, settings.organisation, new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("DejaVu", "", 9)
    for line in [settings.address] + [v for v in (settings.email, settings.phone) if v]:
        pdf.cell(0, 4.5, line, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(10)
    pdf.set_font("DejaVu", "", 10.5)
    for line in recipient:
        pdf.set_x(115)
        pdf.cell(0, 5.5, line, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(8)
    pdf.set_x(115)
    pdf.cell(0, 5.5, f"Besançon, le {on:%d/%m/%Y}", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(8)
    pdf.set_font("DejaVu", "B", 10.5)
    pdf.multi_cell(0, 5.5, f"Objet : {subject}", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("DejaVu", "", 9)
    pdf.cell(0, 5, f"Référence : {reference}", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(5)
    pdf.set_font("DejaVu", "", 10.5)
    for paragraph in body.split("\n"):
        if paragraph.strip():
            pdf.multi_cell(0, 5.5, paragraph, new_x="LMARGIN", new_y="NEXT")
        else:
            pdf.ln(3.5)
    path.parent.mkdir(parents=True, exist_ok=True)
    pdf.output(str(path))
    return path
