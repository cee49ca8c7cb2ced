"""An email's postal address and phone, from its signature (or from a letter attached to it)."""
from __future__ import annotations

import re
from dataclasses import dataclass, replace

from pipeline.item import Item, Registration
from pipeline.understand.nlp import fold
from pipeline.understand.postal import PHONE, fix_postcode, is_street, postcode_line, tidy

QUOTED = re.compile(r"^(>|le .{5,80} a ecrit|-{2,} ?(message|original)|de ?: .*@|from ?: )")
SIGNATURE_LINES = 15


@dataclass(frozen=True)
class Signed:
    name: str
    registration: Registration


def read_signature(item: Item, own) -> Signed:
    """The item's registration completed with the address and phone of the body's signature; without one,
    the sender block of an attached letter."""
    from pipeline.understand.registration import read_letter
    registration = item.registration
    body = next((p.text for p in item.parts if p.role == "body" and p.text), "")
    lines = _own_words(body)
    tail = lines[-SIGNATURE_LINES:]
    address, postcode, town = (), "", ""
    for index in range(len(tail) - 1, -1, -1):
        found = postcode_line(tail[index])
        if found and not any(m in fold(" ".join(tail[max(0, index - 3):index + 1])) for m in own.markers):
            postcode, town = fix_postcode(*found, own.towns)
            street = [tidy(line) for line in tail[max(0, index - 2):index] if is_street(fold(line))]
            address = tuple(street)
            break
    phone = next((m.group(0) for line in tail for m in [PHONE.search(line)] if m), "")
    name = ""
    if not postcode:
        attached = "\n".join("\n".join(p.text for p in part.pages) or part.text
                             for part in item.parts if part.role == "attachment")
        if attached.strip():
            letter = read_letter(attached, own)
            found = letter.registration
            address, postcode, town = found.address, found.postcode, found.town
            phone = phone or found.phone
            name = letter.name
            registration = replace(registration, objet=registration.objet or found.objet,
                                   reference=registration.reference or found.reference)
    return Signed(name, replace(registration, address=address, postcode=postcode, town=town,
                                phone=" ".join(phone.split())))


def _own_words(body: str) -> list[str]:
    """The body's lines down to the quoted message it answers (the signature is above it)."""
    out = []
    for line in body.replace("\r", "").split("\n"):
        if QUOTED.match(fold(line.strip())):
            break
        if line.strip():
            out.append(line.strip())
    return out
