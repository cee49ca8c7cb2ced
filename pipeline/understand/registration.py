"""Registration fields read from the layout of a French letter, or from an email's headers and signature.

A French letter (NF Z 11-001 and common usage) puts the sender's block top left (name, street
lines, "25000 Besançon"), the recipient's block lower right, then "Besançon, le 14 mars 2025",
the "Objet :" line, references ("V/Réf", "N/Réf"), the salutation, the body, the closing
formula and the signature. OCR loses the columns and the blank lines, so blocks are found from
their last line (postcode + town) upwards. The organisation's own address (the recipient) is
never the sender. What cannot be read stays empty: a clerk types it on the item page.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from pipeline.item import Item, Registration
from pipeline.understand.french_dates import find_date, parse_date
from pipeline.understand.nlp import fold
from pipeline.understand.postal import (CARE_OF, CLOSING, EMAIL, PHONE, RECIPIENT, address_line, is_salutation,
                                        fix_postcode, is_street, name_like, postcode_line, tidy)

OBJET = re.compile(r"^\W{0,3}(?:(?:objet|0bjet|obj)\s*[:;.]?|(?:ob[a-z]?e?[tl]|o?bj[a-z]?t)\s*[:;])\s*(?=\S|$)")
REFERENCE = re.compile(r"\b(v\s*/?\s*ref\w*|votre ref\w*|vos ref\w*|nos ref\w*|facture\s*n\s*(?:o\b|°)|n\s*/?\s*ref\w*|notre ref\w*|ref\w*\s*(?:client|dossier)"
                       r"|dossier\s*n|n\s*(?:o|°)\s*(?:de\s+)?dossier|numero unique)(?![a-z0-9])\W*")
DATE_TOWN = re.compile(r"^\W*(?:fait\s+)?(?:a\s+)?[a-z][a-z ]{1,40}?\s*[,.;]?\s+le\s+")
BARE_DATE = re.compile(r"^\W*(?:le\s+)?(?:lundi|mardi|mercredi|jeudi|vendredi|samedi|dimanche)?\s*[0-3]?\d\b")
SEPARATED = re.compile(r"\s+[–—|•·]\s+|\s+-\s+")
HEAD_LINES = 45  # the blocks, date and subject of a letter sit in its first lines
MAX_BLOCK = 6  # lines of a sender block above its postcode line
SUBJECT_WORDS = 12


@dataclass(frozen=True)
class Own:
    """How the organisation's own address reads, to tell the recipient block from the sender's."""

    markers: tuple[str, ...]  # folded words that only the organisation's own block carries
    towns: dict[str, tuple[str, tuple[str, ...]]]  # folded town name → (name, postcodes)

    @classmethod
    def of(cls, organisation: str, address: str, reference=None) -> "Own":
        street = fold(address.split(",")[0]).strip()
        street = re.sub(r"^\d+\s*", "", street)  # "4 rue Gabriel Plançon": OCR often misreads the number
        towns: dict[str, tuple[str, ...]] = {}
        if reference is not None:
            for town in (*reference.communes, *reference.outside):
                towns[" ".join(fold(town.name).split())] = (town.name, town.postcodes)
        return cls(tuple(m for m in (fold(organisation).strip(), street) if m), towns)


def register(item: Item, own: Own) -> Item:
    """The item with its registration fields, its sender's name and its subject filled in."""
    if item.channel == "email":
        return _register_email(item, own)
    text = "\n".join(part.text or "\n".join(p.text for p in part.pages) for part in item.parts)
    found = read_letter(text, own)
    return item.with_(registration=found.registration, sender=item.sender or found.name,
                      subject=item.subject or found.registration.objet or found.title)


@dataclass(frozen=True)
class Letter:
    """What the layout of one letter gives."""

    name: str
    email: str
    registration: Registration
    title: str  # a short title from the first sentence, for a letter without "Objet :"


def read_letter(text: str, own: Own) -> Letter:
    """Sender block, date line, subject and references of a letter's text (OCR or text layer)."""
    lines = _letterhead_lines([line.strip() for line in text.replace("\r", "").split("\n")])
    folded = [fold(line) for line in lines]
    head_end = _head_end(folded)
    objet = _objet(lines, folded, head_end)
    block = _sender_block(lines, folded, head_end, own) or _trailing_block(lines, folded, own)
    name, address, postcode, town = block if block else (_signature_name(lines, folded), (), "", "")
    zone = range(0, min(len(lines), HEAD_LINES))
    tail = range(max(0, len(lines) - 12), len(lines))
    contact_lines = [lines[i] for i in (*zone, *tail)]
    registration = Registration(address=address, postcode=postcode, town=town,
                                phone=_first(PHONE, contact_lines), reference=_reference(lines, folded),
                                letter_date=_letter_date(folded, head_end), objet=objet)
    return Letter(tidy(name), _first(EMAIL, contact_lines).lower(), registration, _title(lines, folded, head_end))


def date_line(folded: str) -> tuple[bool, object]:
    """(is a "Ville, le <date>" line, its full date or None): "Mazerolles le Salin, le 07 11 2026"."""
    if len(folded) >= 80 or not DATE_TOWN.match(folded):
        return False, None
    for match in re.finditer(r"[\s,.;]le\s+", folded):
        found, shaped = parse_date(folded[match.end():])
        if shaped:
            return True, found
    return False, None


def _letterhead_lines(lines: list[str]) -> list[str]:
    """A letterhead's one-line address ("2 place de la Mairie — 25320 Chemaudin – Tél. 03…") as the lines
    of an address block, so that it reads like any other sender block."""
    out = []
    for index, line in enumerate(lines):
        pieces = [p.strip() for p in SEPARATED.split(line)] if index < HEAD_LINES else [line]
        if len(pieces) > 1 and any(postcode_line(p) for p in pieces):
            out.extend(p for p in pieces if p)
        else:
            out.append(line)
    return out


def _head_end(folded: list[str]) -> int:
    """Index of the salutation (the head of the letter is above it), else of the first long paragraph.

    "Monsieur le Président" heading the recipient's block is not the salutation: an address follows it."""
    for index, line in enumerate(folded[:HEAD_LINES + 20]):
        if is_salutation(line) and len(line) < 60 and not date_line(line)[0]:
            following = [f for f in folded[index + 1:index + 8] if f.strip()][:4]
            if not any(postcode_line(f) or RECIPIENT.search(f) for f in following):
                return index
    for index, line in enumerate(folded[:HEAD_LINES]):
        if len(line.split()) > 12:
            return index
    return min(len(folded), HEAD_LINES)


def _objet(lines: list[str], folded: list[str], head_end: int) -> str:
    """The "Objet :" line without its label, with its continuation lines; empty when there is none."""
    for index in range(min(len(lines), max(head_end + 3, 12))):
        match = OBJET.match(folded[index])
        if not match or (index >= head_end and head_end > 0 and index > head_end + 2):
            continue
        words = [lines[index][match.end():].strip(" :;-—")]
        following = index + 1
        if not words[0]:  # "Objet :" alone, the subject on the next non-empty line
            while following < len(lines) and not lines[following]:
                following += 1
            words = [lines[following]] if following < len(lines) else []
            following += 1
        while following < len(lines) and _continues(lines[following], folded[following]):
            words.append(lines[following])
            following += 1
        subject = " ".join(w for w in words if w)
        return " ".join(subject.split())[:300]
    return ""


def _continues(line: str, folded: str) -> bool:
    """A subject's second line starts in lowercase and is neither the date nor the salutation."""
    return bool(line) and (line[0].islower() or line[0].isdigit()) and not date_line(folded)[0] \
        and not is_salutation(folded) \
        and not OBJET.match(folded) and len(line) < 100


def _sender_block(lines, folded, head_end, own):
    """The first address block of the head that is not the organisation's own."""
    for index in range(min(len(lines), max(head_end, 1) + 2, HEAD_LINES)):
        found = postcode_line(lines[index])
        if not found or _is_own(folded, index, own) or date_line(folded[index])[0]:
            continue
        block = _block_above(lines, folded, index, own)
        if block is None:
            continue
        return _with_place(block, found, own)
    return None


def _trailing_block(lines, folded, own):
    """An address under the signature, when the head carries none."""
    for index in range(len(lines) - 1, max(-1, len(lines) - 10), -1):
        found = postcode_line(lines[index])
        if found and not _is_own(folded, index, own):
            block = _block_above(lines, folded, index, own)
            if block:
                return _with_place(block, found, own)
    return None


def _with_place(block, found, own):
    """(name, street lines, postcode, town), the town's OCR slips set right in the name too ("Mairie de X")."""
    name, address = block
    postcode, town = fix_postcode(*found, own.towns)
    if town != found[1] and found[1] in name:
        name = name.replace(found[1], town)
    return name, address, postcode, town


def _is_own(folded: list[str], index: int, own: Own) -> bool:
    """The postcode line closes the organisation's own block (or any recipient block)."""
    above = [f for f in folded[max(0, index - 4):index + 1] if f.strip()][-4:]
    return any(RECIPIENT.search(line) or any(m in line for m in own.markers) for line in above)


def _block_above(lines, folded, index, own) -> tuple[str, tuple[str, ...]] | None:
    """(name, street lines) going up from a postcode line; None when no name sits above it.

    Every short line above belongs to the block (a role, "Maison des associations", a street) until
    a line that cannot be part of an address; the name is the topmost line that reads as one, or the
    line above a "chez"/"c/o" line (the contact of an organisation)."""
    taken: list[int] = []
    cursor = index - 1
    while cursor >= 0 and len(taken) < MAX_BLOCK:
        line, low = lines[cursor], folded[cursor]
        if not line:
            cursor -= 1
            continue
        if postcode_line(line) or RECIPIENT.search(low) or any(m in low for m in own.markers) \
                or date_line(low)[0] or OBJET.match(low) or CLOSING.search(low) or is_salutation(low):
            break
        if EMAIL.search(line) or PHONE.search(line) or "@" in line:
            cursor -= 1
            continue
        if not address_line(line, low):
            break
        taken.append(cursor)
        cursor -= 1
    taken.reverse()
    names = [i for n, i in enumerate(taken) if not is_street(folded[i]) and not CARE_OF.match(folded[i])
             and (name_like(lines[i]) or (n + 1 < len(taken) and CARE_OF.match(folded[taken[n + 1]])))]
    if not names:
        return None
    first = names[0]
    address = tuple(tidy(lines[i]) for i in taken if i > first)
    return lines[first], address


def _signature_name(lines, folded) -> str:
    """The name under the closing formula, for a letter without a sender block."""
    for index in range(len(lines) - 1, max(-1, len(lines) - 15), -1):
        if CLOSING.search(folded[index]):
            for line in lines[index + 1:index + 5]:
                if line and name_like(line) and not PHONE.search(line):
                    return line
    return ""


def _letter_date(folded: list[str], head_end: int) -> object:
    """The date of the "Besançon, le 14 mars 2025" line (a date without its year is not guessed)."""
    for line in folded[:max(head_end + 3, 15)]:
        shaped, found = date_line(line)
        if shaped:
            return found
    for line in folded[:max(head_end, 1)]:
        if BARE_DATE.match(line) and len(line.split()) <= 5:
            found, shaped = parse_date(re.sub(r"^\W*le\s+", "", line))
            if shaped:
                return found
    return None


def _reference(lines, folded) -> str:
    for index, line in enumerate(folded[:HEAD_LINES]):
        match = REFERENCE.search(line)
        if match and (index < 20 or OBJET.match(line)):
            value = lines[index][match.end():].strip(" :;.-—")
            if value:
                return value[:100]
    return ""


def _title(lines, folded, head_end) -> str:
    """A short title for a letter without "Objet :": the first words of its first sentence."""
    body = " ".join(line for line in lines[head_end + 1:head_end + 6] if line)
    sentence = re.split(r"(?<=[.!?])\s", body, maxsplit=1)[0]
    words = sentence.split()
    return " ".join(words[:SUBJECT_WORDS]) + (" …" if len(words) > SUBJECT_WORDS else "")


def _first(pattern: re.Pattern, lines: list[str]) -> str:
    for line in lines:
        match = pattern.search(line)
        if match:
            return " ".join(match.group(0).split())
    return ""


def _register_email(item: Item, own: Own) -> Item:
    """Headers give name, email, subject and date; the signature (or an attached letter) the postal address."""
    from pipeline.understand.signature import read_signature
    found = read_signature(item, own)
    return item.with_(registration=found.registration, sender=item.sender or found.name)


__all__ = ["Own", "Letter", "register", "read_letter", "find_date"]
