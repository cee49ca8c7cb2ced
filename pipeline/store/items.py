"""Items: finding what is already stored, saving a new item with its files and predictions, its sources.

PostgreSQL refuses the NUL character in text: it is removed from every text of a saved item (a
NUL in a subject is noise, not content), so such an email is stored like any other."""
from __future__ import annotations

from datetime import datetime, timezone

from sqlalchemy import select
from sqlalchemy.orm import Session

from pipeline.item import Document, Item
from pipeline.store.chrono import next_chrono
from pipeline.store.files import FileStore
from pipeline.store.message_identity import content_digest
from pipeline.store.schema import ItemFileRow, ItemRow, ItemSourceRow, PredictionRow


def now() -> datetime:
    return datetime.now(timezone.utc)


def find_existing(session: Session, sha256: str, message_id: str | None = None, *, raw: bytes | None = None,
                  files: FileStore | None = None) -> ItemRow | None:
    """The item already stored for these bytes, or for this Message-ID when it is the same message
    (same email, other mailbox: same content once trace headers are set aside; see message_identity)."""
    row = session.execute(select(ItemRow).where(ItemRow.sha256 == sha256)).scalar_one_or_none()
    message_id = without_nul(message_id)  # PostgreSQL refuses NUL even as a query parameter
    if row is None and message_id and raw is not None and files is not None:
        wanted = content_digest(raw)
        candidates = session.execute(select(ItemRow).where(ItemRow.message_id == message_id).order_by(ItemRow.id))
        row = next((c for c in candidates.scalars() if content_digest(files.get(c.sha256)) == wanted), None)
    return row


def add_source(session: Session, row: ItemRow, document: Document, files: FileStore) -> bool:
    """Record another place the item was found, keeping this copy's bytes (the same email delivered
    to two mailboxes differs in its headers); False when that place was already known."""
    known = session.execute(select(ItemSourceRow).where(ItemSourceRow.item_id == row.id,
                                                        ItemSourceRow.source == document.source,
                                                        ItemSourceRow.ref == document.ref)).scalar_one_or_none()
    if known is None:
        session.add(_remove_nul(ItemSourceRow(item_id=row.id, source=document.source, ref=document.ref, seen_at=now(),
                                              sha256=files.put(document.raw) if document.raw else None)))
    return known is None


def save_item(session: Session, item: Item, files: FileStore, *, run_id: int | None, chrono_pattern: str) -> ItemRow:
    """Insert an item with its original, parts, pages, suggestions and source (caller commits)."""
    document, routing = item.document, item.routing
    created = now()
    row = ItemRow(
        chrono=next_chrono(session, chrono_pattern, created.year), channel=item.channel,
        sha256=files.put(document.raw), message_id=(item.message_id or None) and item.message_id[:500],
        filename=document.filename[:500],
        sender=item.sender[:500], sender_email=item.sender_email[:320], subject=item.subject[:1000],
        received_at=item.received_at or document.received_at or created, created_at=created, text=item.text,
        status=routing.status, competence=item.competence,
        confidence=item.competences[0].probability if item.competences else None,
        commune=item.commune, commune_evidence=item.commune_evidence[:500], urgent=item.urgent,
        urgent_reasons=list(item.urgent_reasons), due_date=routing.due_date,
        destination_kind=routing.destination_kind, destination=routing.destination,
        review_reasons=list(routing.reasons), ocr_confidence=item.ocr_confidence,
        model_version=item.model_version, run_id=run_id, **registration_columns(item))
    row.files = [ItemFileRow(role="original", name=document.filename, content_type=_original_type(item),
                             sha256=row.sha256, size=len(document.raw))]
    for part in item.parts:
        stored = files.put(part.raw) if part.raw is not None and part.role != "scan" else None
        row.files.append(ItemFileRow(role=part.role, name=part.name, content_type=part.content_type,
                                     sha256=stored or (row.sha256 if part.role == "scan" else None),
                                     size=len(part.raw) if part.raw is not None else None,
                                     text=part.text, error=part.error))
        row.files.extend(ItemFileRow(role="page", name=part.name, page_number=page.number, text=page.text,
                                     method=page.method, ocr_confidence=page.confidence) for page in part.pages)
    row.predictions = [PredictionRow(kind="competence", rank=rank, label=s.label, score=s.probability,
                                     model_version=item.model_version)
                       for rank, s in enumerate(item.competences, 1)]
    row.predictions += [PredictionRow(kind="place", rank=rank, label=p.commune, score=p.score,
                                      evidence=p.evidence[:500], detail=f"{p.kind}/{p.zone}")
                        for rank, p in enumerate(item.places, 1)]
    row.sources = [ItemSourceRow(source=document.source, ref=document.ref, seen_at=created, sha256=row.sha256)]
    for child in (row, *row.files, *row.predictions, *row.sources):
        _remove_nul(child)
    session.add(row)
    return row


def registration_columns(item: Item) -> dict:
    """The registration fields of an item as `item` columns (sender and subject are set by save_item)."""
    found, thread = item.registration, item.thread
    ids = " ".join(dict.fromkeys(i for i in (thread.in_reply_to, *thread.references) if i))
    return {"sender_address": "\n".join(found.address)[:500], "sender_postcode": found.postcode[:10],
            "sender_town": found.town[:200], "sender_phone": found.phone[:40],
            "sender_reference": found.reference[:200], "letter_date": found.letter_date,
            "thread_ids": ids[:4000]}


def _original_type(item: Item) -> str:
    return "message/rfc822" if item.channel == "email" else (item.parts[0].content_type if item.parts else "")


def without_nul(value):
    """The value with every NUL character removed, inside lists and dicts too (JSON columns)."""
    if isinstance(value, str):
        return value.replace("\x00", "")
    if isinstance(value, (list, tuple)):
        return [without_nul(v) for v in value]
    if isinstance(value, dict):
        return {without_nul(k): without_nul(v) for k, v in value.items()}
    return value


def _remove_nul(row):
    for column in row.__table__.columns:
        value = getattr(row, column.key, None)
        if isinstance(value, (str, list, dict)):
            setattr(row, column.key, without_nul(value))
    return row
