"""The plain data objects that travel through the stages.

A `Document` is what a source hands over (raw bytes and where they came from). Extraction turns
it into an `Item`; each later stage returns a new `Item` with one more piece filled in.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass, replace
from datetime import date, datetime


@dataclass(frozen=True)
class Document:
    """Raw input as a source found it: an email or a scanned/born-digital file."""

    source: str  # name of the source (folder or mailbox)
    ref: str  # where it is within the source (path, or "folder/uid")
    filename: str
    raw: bytes
    received_at: datetime | None = None
    refused: str | None = None  # the source's reason to quarantine it unread (e.g. too large to download)

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.raw).hexdigest()

    @property
    def is_email(self) -> bool:
        return self.filename.lower().endswith(".eml")


@dataclass(frozen=True)
class Page:
    """One page of a document, with how its text was obtained."""

    number: int
    text: str
    method: str  # "text_layer" or "ocr"
    confidence: float | None = None  # tesseract's mean word confidence, 0-100


@dataclass(frozen=True)
class Part:
    """A piece of an item: an email body, an attachment, or the scanned file itself."""

    name: str
    content_type: str
    role: str  # "body", "attachment", "scan"
    text: str = ""
    pages: tuple[Page, ...] = ()
    raw: bytes | None = None  # kept for attachments so the file store gets them byte for byte
    error: str | None = None  # why this part could not be read (the item goes on)

    @property
    def needs_ocr(self) -> bool:
        return self.role != "body" and not self.text and self.error is None and self.raw is not None


@dataclass(frozen=True)
class Place:
    """A place found in the text, with the evidence a clerk can check."""

    commune: str  # INSEE code of a member commune, or "HORS"
    name: str
    evidence: str  # the matched text as it appears
    kind: str  # postcode_town, commune_name, alias, besancon_place, outside
    zone: str  # where in the text: subject, body, sender, signature
    score: float


@dataclass(frozen=True)
class Scored:
    label: str
    probability: float


@dataclass(frozen=True)
class Routing:
    destination_kind: str  # metropole, commune, autre
    destination: str  # service or town hall or administration, in French
    status: str  # routed or to_review
    due_date: date | None
    reasons: tuple[str, ...] = ()  # French, shown to clerks


@dataclass(frozen=True)
class Registration:
    """What a clerk registers from the letter itself (the sender's name and the subject live on the Item)."""

    address: tuple[str, ...] = ()  # street lines of the sender's postal address, without postcode and town
    postcode: str = ""
    town: str = ""
    phone: str = ""
    reference: str = ""  # the sender's own reference ("V/Réf", a dossier number)
    letter_date: date | None = None  # the date the letter gives, or an email's Date: header
    objet: str = ""  # the "Objet :" line as written; empty when the letter has none


@dataclass(frozen=True)
class Thread:
    """An email's place in a conversation: its In-Reply-To and References identifiers."""

    in_reply_to: str = ""
    references: tuple[str, ...] = ()


@dataclass(frozen=True)
class Item:
    document: Document
    channel: str  # email or courrier
    sender: str = ""
    sender_email: str = ""
    subject: str = ""
    message_id: str | None = None
    received_at: datetime | None = None
    parts: tuple[Part, ...] = ()
    places: tuple[Place, ...] = ()
    commune: str | None = None  # INSEE, "HORS" or None
    commune_evidence: str = ""
    urgent: bool = False
    urgent_reasons: tuple[str, ...] = ()
    competences: tuple[Scored, ...] = ()  # top-k, best first
    model_version: str | None = None
    routing: Routing | None = None
    registration: Registration = Registration()
    thread: Thread = Thread()

    @property
    def text(self) -> str:
        """Everything a reader sees, an email's subject first, then each part in order (a letter's
        subject is a line of its own text)."""
        chunks = [f"Objet : {self.subject}"] if self.subject and self.channel != "courrier" else []
        for part in self.parts:
            body = part.text or "\n\n".join(p.text for p in part.pages)
            if body.strip():
                chunks.append(body.strip())
        return "\n\n".join(chunks)

    @property
    def competence(self) -> str | None:
        return self.competences[0].label if self.competences else None

    @property
    def ocr_confidence(self) -> float | None:
        scores = [p.confidence for part in self.parts for p in part.pages if p.confidence is not None]
        return sum(scores) / len(scores) if scores else None

    def with_(self, **changes) -> "Item":
        return replace(self, **changes)
