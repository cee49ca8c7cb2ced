"""Where a line sits in a letter or email: subject, body, the sender's blocks, or the recipient's.

The métropole's own address printed as recipient ("4 rue Gabriel Plançon, 25000 Besançon",
"25043 Besançon Cedex") must never be taken for the place the letter is about.
"""
from __future__ import annotations

import re

from pipeline.understand.nlp import fold

SUBJECT = re.compile(r"^\s*(objet|obj|subject|concerne|ref|tr|fwd?|re)\s*[:.]", re.I)
SALUTATION = re.compile(r"^\s*(madame|monsieur|mesdames|messieurs|bonjour|bonsoir|cher|chere|salut|"
                        r"a l attention|a qui de droit)\b")
CLOSING = re.compile(r"(cordialement|salutations|veuillez agreer|je vous prie d agreer|recevez|bien a vous|remerciements|"
                     r"respectueusement|sentiments|bonne (journee|soiree)|merci par avance|"
                     r"dans l attente de votre|en vous remerciant)")
RECIPIENT_START = re.compile(r"(grand besancon metropole|monsieur le president|madame la presidente|"
                             r"a l attention d|service accueil|service courrier|direction d|^\s*gbm\s*$)")
# 25043 Besançon CEDEX is the métropole's own; other CEDEX codes are senders' (a firm, a hospital).
ALWAYS_RECIPIENT = re.compile(r"(gabriel plancon|\b25 ?043\b|\bla city\b|\bcs \d{3,})")
POSTCODE = re.compile(r"\b\d{2} ?\d{3}\b")
DATE_LINE = re.compile(r"^\s*([a-z][a-z ]+?)\s*,?\s+le\s+(\d|1er|premier|lundi|mardi|mercredi|jeudi|vendredi|samedi|dimanche)")
FORWARD = re.compile(r"(message transfere|forwarded message|message d origine|original message)")


def line_zones(text: str) -> list[tuple[int, int, str]]:
    """(start offset, end offset, zone) for every line; zones: subject, body, sender, recipient, date."""
    lines, offset = [], 0
    for line in text.split("\n"):
        lines.append((offset, offset + len(line), fold(line)))
        offset += len(line) + 1
    body_start = _body_start(lines)
    closing = _closing(lines, body_start)
    zones, in_recipient = [], False
    for index, (start, end, folded) in enumerate(lines):
        if ALWAYS_RECIPIENT.search(folded):
            zone = "recipient"
        elif DATE_LINE.match(folded) and len(folded) < 60:
            zone = "date"
        elif SUBJECT.match(folded):
            zone = "subject"
        elif index >= body_start and len(folded) < 45 and RECIPIENT_START.search(folded):
            zone, in_recipient = "recipient", True  # an attached letter's own address block
        elif index >= body_start and in_recipient:
            zone = "recipient"
            in_recipient = not (POSTCODE.search(folded) or not folded.strip())
        elif index < body_start:
            in_recipient = in_recipient or bool(RECIPIENT_START.search(folded))
            zone = "recipient" if in_recipient else "sender"
            if in_recipient and (POSTCODE.search(folded) or not folded.strip()):
                in_recipient = False
        elif closing is not None and index >= closing:
            zone = "sender"
        else:
            zone = "body"
        if zone != "subject" and zones and zones[-1][2] == "recipient" and POSTCODE.search(folded):
            zone = "recipient"  # the postcode line that closes the métropole's address
        zones.append((start, end, zone))
    return _trailing_address_is_sender(lines, zones)


def _trailing_address_is_sender(lines, zones):
    """A short block ending the text with a postcode line is the sender's address, closing formula or not."""
    block = []
    for index in range(len(lines) - 1, -1, -1):
        folded = lines[index][2].strip()
        if not folded:
            if block:
                break
            continue
        if len(folded) > 60 or len(block) == 5:
            return zones
        block.append(index)
    if not any(POSTCODE.search(lines[i][2]) for i in block):
        return zones
    for index in block:
        start, end, zone = zones[index]
        if zone == "body":
            zones[index] = (start, end, "sender")
    return zones


def _body_start(lines) -> int:
    """Index of the first body line: after the Objet line or the salutation, whichever comes first."""
    for index, (_, _, folded) in enumerate(lines[:40]):
        salutation = SALUTATION.match(folded) and (folded.rstrip().endswith(",") or len(folded) < 30)
        if salutation or (index > 0 and SUBJECT.match(folded)):
            return index + (0 if SUBJECT.match(folded) else 1)
    if lines and SUBJECT.match(lines[0][2]):
        return 1
    # No subject line nor salutation (a hurried letter, a mangled scan): an address block on top
    # is still the sender's.
    for index, (_, _, folded) in enumerate(lines[:8]):
        if POSTCODE.search(folded):
            return index + 1
    return 0


def _closing(lines, body_start: int) -> int | None:
    """Index of the closing formula; a forwarded message reopens a body after it."""
    found = None
    for index in range(body_start, len(lines)):
        folded = lines[index][2]
        if FORWARD.search(folded):
            found = None
        elif found is None and CLOSING.search(folded) and index > body_start:
            found = index
    return found
