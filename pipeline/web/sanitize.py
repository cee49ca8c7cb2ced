"""Senders' HTML made inert, and the extracted text with the place evidence highlighted.

Email HTML is hostile: nh3 (the ammonia sanitiser) keeps formatting tags only, drops scripts,
event handlers, styles, forms, frames and links' targets; an image is kept only when the message
itself carries it (cid: parts, inlined as data: URIs), never fetched from a remote server. The
result is then served in a sandboxed frame under a CSP that forbids scripts and remote loads,
so a sanitiser bug alone is not enough to run anything.
"""
from __future__ import annotations

import base64
import re
from dataclasses import dataclass, field

import nh3
from markupsafe import Markup, escape

ALLOWED_TAGS = set(nh3.ALLOWED_TAGS) - {"area", "map", "img"} | {"img", "font", "center"}
ALLOWED_ATTRIBUTES = {
    "img": {"src", "alt", "width", "height"},
    "td": {"colspan", "rowspan", "align"}, "th": {"colspan", "rowspan", "align"},
    "table": {"align"}, "tr": {"align"}, "ol": {"start"}, "font": {"color"},
    "*": {"title"},
}
INLINE_IMAGE_TYPES = {"image/png", "image/jpeg", "image/gif", "image/webp"}  # never SVG: it can carry script
MAX_INLINE_IMAGE = 2_000_000


@dataclass
class SanitizedHtml:
    html: str
    blocked_images: int = 0
    inlined_images: int = 0
    notes: list[str] = field(default_factory=list)


def sanitize_email_html(html: str, inline_parts: dict[str, tuple[str, bytes]] | None = None) -> SanitizedHtml:
    """Clean an email's HTML; `inline_parts` maps Content-ID → (content type, bytes) for cid: images."""
    inline_parts = inline_parts or {}
    result = SanitizedHtml("")

    def keep(tag: str, attribute: str, value: str) -> str | None:
        if tag == "img" and attribute == "src":
            if value.lower().startswith("cid:"):
                found = inline_parts.get(value[4:].strip("<>"))
                if found and found[0] in INLINE_IMAGE_TYPES and len(found[1]) <= MAX_INLINE_IMAGE:
                    result.inlined_images += 1
                    return f"data:{found[0]};base64,{base64.b64encode(found[1]).decode()}"
            result.blocked_images += 1
            return None
        return value

    result.html = nh3.clean(html, tags=ALLOWED_TAGS, attributes=ALLOWED_ATTRIBUTES, attribute_filter=keep,
                            clean_content_tags={"script", "style", "title", "head", "noscript", "template",
                                                "textarea", "select", "iframe", "object", "svg", "math"},
                            url_schemes={"cid", "data"}, link_rel=None, strip_comments=True)
    if result.blocked_images:
        result.notes.append(f"{result.blocked_images} image(s) distante(s) ou non prise(s) en charge bloquée(s)")
    return result


def email_frame_document(body: SanitizedHtml) -> str:
    """The whole document served inside the sandboxed frame."""
    return ("<!doctype html><html lang=\"fr\"><head><meta charset=\"utf-8\">"
            "<meta name=\"referrer\" content=\"no-referrer\">"
            "<style>body{font:15px/1.45 system-ui,sans-serif;color:#1b1b1b;margin:12px;overflow-wrap:anywhere}"
            "img{max-width:100%;height:auto}table{max-width:100%}</style></head><body>"
            f"{body.html}</body></html>")


@dataclass(frozen=True)
class Evidence:
    text: str  # as found in the item's text
    label: str  # what it proves, e.g. "Thise (code postal + ville)"


def highlight(text: str, evidence: list[Evidence]) -> Markup:
    """The text, escaped, with every occurrence of each evidence wrapped in <mark>."""
    spans: list[tuple[int, int, str]] = []
    for item in evidence:
        needle = item.text.strip()
        if len(needle) < 2:
            continue
        pattern = re.compile(r"\s+".join(re.escape(word) for word in needle.split()), re.IGNORECASE)
        spans += [(m.start(), m.end(), item.label) for m in pattern.finditer(text)]
    spans.sort(key=lambda s: (s[0], -s[1]))
    out, position = [], 0
    for start, end, label in spans:
        if start < position:
            continue  # overlaps a longer mark already placed
        out.append(escape(text[position:start]))
        out.append(Markup('<mark class="evidence" title="{}">{}</mark>').format(label, text[start:end]))
        position = end
    out.append(escape(text[position:]))
    return Markup("").join(out)
