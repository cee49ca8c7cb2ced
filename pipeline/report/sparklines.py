"""Small inline SVG charts for the stand-up page: a trend at a glance, no image to load, no script.

Only our own numbers and labels go in, escaped; colours are presentation attributes (the page's
CSP forbids inline styles). Each chart carries a <title> and the page repeats its figures in a table.
"""
from __future__ import annotations

from html import escape

from markupsafe import Markup

WIDTH, HEIGHT, PAD = 260, 64, 6


def bars(values: list[float | None], labels: list[str], title: str, colour: str = "#0b5cad",
         percent: bool = False) -> Markup:
    """A bar per value (None: no bar), the last one darker: the week that just ended."""
    top = max((v for v in values if v is not None), default=0) or 1
    if percent:
        top = 1
    step = (WIDTH - 2 * PAD) / max(1, len(values))
    parts = [f'<svg class="spark" viewBox="0 0 {WIDTH} {HEIGHT + 14}" width="{WIDTH}" height="{HEIGHT + 14}" '
             f'role="img" aria-label="{escape(title)}"><title>{escape(title)}</title>']
    for index, (value, label) in enumerate(zip(values, labels)):
        x = PAD + index * step
        if value is not None:
            height = max(1.0, (HEIGHT - 2 * PAD) * value / top)
            shade = "#0b3d75" if index == len(values) - 1 else colour
            text = f"{value * 100:.0f} %" if percent else f"{value:g}"
            parts.append(f'<rect x="{x + 2:.1f}" y="{HEIGHT - PAD - height:.1f}" width="{step - 4:.1f}" '
                         f'height="{height:.1f}" fill="{shade}"><title>{escape(label)} : {text}</title></rect>')
        parts.append(f'<text x="{x + step / 2:.1f}" y="{HEIGHT + 10}" font-size="9" text-anchor="middle" '
                     f'fill="#3d4552">{escape(label)}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))
