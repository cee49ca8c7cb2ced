"""The database schema (SQLAlchemy 2 ORM). Same code on SQLite and PostgreSQL; Alembic migrates it."""
from __future__ import annotations

from datetime import date, datetime, timezone

from sqlalchemy import (JSON, BigInteger, Boolean, Date, DateTime, Float, ForeignKey, Index, Integer, String, Text,
                        UniqueConstraint)
from sqlalchemy import event
from sqlalchemy import text as sql_text
from sqlalchemy.types import TypeDecorator
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship


class Base(DeclarativeBase):
    pass


class UtcDateTime(TypeDecorator):
    """An instant, stored in UTC and always read back aware (UTC) on both backends.

    SQLite keeps no offset: without this, its values came back naive and pages showed them one or
    two hours early (the web page and the CLI convert aware values to Europe/Paris). A naive value
    given to the database is taken as UTC, as everywhere in this code.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if not isinstance(value, datetime):
            return value
        value = (value.replace(tzinfo=timezone.utc) if value.tzinfo is None else value).astimezone(timezone.utc)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        return value.replace(tzinfo=timezone.utc) if value.tzinfo is None else value.astimezone(timezone.utc)


@event.listens_for(Base, "before_insert", propagate=True)
@event.listens_for(Base, "before_update", propagate=True)
def _store_datetimes_in_utc(_mapper, _connection, target) -> None:
    """SQLite drops the offset of an aware datetime and keeps its wall time: store every instant as UTC,
    so that 09:11+01:00 and 08:11+00:00 compare equal on both backends (naive values read back are UTC)."""
    for column in target.__table__.columns:
        if isinstance(column.type, DateTime):
            value = getattr(target, column.key, None)
            if isinstance(value, datetime) and value.tzinfo is not None and value.utcoffset():
                setattr(target, column.key, value.astimezone(timezone.utc))


class ItemRow(Base):
    __tablename__ = "item"
    __table_args__ = (  # the review queue and the services' views (migration 0002_review)
        Index("ix_item_queue", "status", "urgent", "due_date", "id"),
        Index("ix_item_order", sql_text("urgent DESC"), "due_date", "id"),
        Index("ix_item_routing", "status", "destination_kind", "competence", "commune"),
        Index("ix_item_received_at", "received_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    chrono: Mapped[str] = mapped_column(String(40), unique=True)
    channel: Mapped[str] = mapped_column(String(20))  # email, courrier
    sha256: Mapped[str] = mapped_column(String(64), unique=True)
    message_id: Mapped[str | None] = mapped_column(String(500), index=True)
    filename: Mapped[str] = mapped_column(String(500))
    sender: Mapped[str] = mapped_column(String(500), default="")
    sender_email: Mapped[str] = mapped_column(String(320), default="")
    subject: Mapped[str] = mapped_column(String(1000), default="")
    received_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), index=True)
    text: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(20), index=True)  # routed, to_review, confirmed, corrected, ...
    competence: Mapped[str | None] = mapped_column(String(40), index=True)
    confidence: Mapped[float | None] = mapped_column(Float)
    commune: Mapped[str | None] = mapped_column(String(10), index=True)
    commune_evidence: Mapped[str] = mapped_column(String(500), default="")
    urgent: Mapped[bool] = mapped_column(Boolean, default=False, index=True)
    urgent_reasons: Mapped[list] = mapped_column(JSON, default=list)
    due_date: Mapped[date | None] = mapped_column(Date, index=True)
    destination_kind: Mapped[str] = mapped_column(String(20), default="metropole")
    destination: Mapped[str] = mapped_column(String(300), default="")
    review_reasons: Mapped[list] = mapped_column(JSON, default=list)
    ocr_confidence: Mapped[float | None] = mapped_column(Float)
    model_version: Mapped[str | None] = mapped_column(String(40))
    run_id: Mapped[int | None] = mapped_column(ForeignKey("run.id"))
    version: Mapped[int] = mapped_column(Integer, default=1)  # optimistic locking for concurrent reviews
    purged_at: Mapped[datetime | None] = mapped_column(UtcDateTime())  # personal data removed
    # Registration (migration 0008_registration): what a clerk registers from the letter itself;
    # the sender's name and the subject are `sender` and `subject` above.
    sender_address: Mapped[str] = mapped_column(String(500), default="")  # street lines, one per line
    sender_postcode: Mapped[str] = mapped_column(String(10), default="", index=True)
    sender_town: Mapped[str] = mapped_column(String(200), default="")
    sender_phone: Mapped[str] = mapped_column(String(40), default="")
    sender_reference: Mapped[str] = mapped_column(String(200), default="")  # "V/Réf", a dossier number
    letter_date: Mapped[date | None] = mapped_column(Date)
    thread_ids: Mapped[str] = mapped_column(String(4000), default="")  # In-Reply-To and References, spaced
    followup_of: Mapped[int | None] = mapped_column(ForeignKey("item.id", ondelete="SET NULL"), index=True)
    followup_reason: Mapped[str] = mapped_column(String(300), default="")

    files: Mapped[list["ItemFileRow"]] = relationship(back_populates="item", cascade="all, delete-orphan")
    predictions: Mapped[list["PredictionRow"]] = relationship(back_populates="item", cascade="all, delete-orphan")
    sources: Mapped[list["ItemSourceRow"]] = relationship(back_populates="item", cascade="all, delete-orphan")

    __mapper_args__ = {"version_id_col": version}


class ItemFileRow(Base):
    """The original, each attachment, and each page with the text read from it."""

    __tablename__ = "item_file"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("item.id", ondelete="CASCADE"), index=True)
    role: Mapped[str] = mapped_column(String(20))  # original, body, attachment, scan, page
    name: Mapped[str] = mapped_column(String(500), default="")
    content_type: Mapped[str] = mapped_column(String(200), default="")
    sha256: Mapped[str | None] = mapped_column(String(64))
    size: Mapped[int | None] = mapped_column(BigInteger)
    page_number: Mapped[int | None] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(Text, default="")
    method: Mapped[str | None] = mapped_column(String(20))  # text_layer, ocr
    ocr_confidence: Mapped[float | None] = mapped_column(Float)
    error: Mapped[str | None] = mapped_column(String(1000))

    item: Mapped[ItemRow] = relationship(back_populates="files")


class PredictionRow(Base):
    """Suggestions: top-k competences, and the places found with their evidence."""

    __tablename__ = "prediction"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("item.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(20))  # competence, place
    rank: Mapped[int] = mapped_column(Integer)
    label: Mapped[str] = mapped_column(String(100))
    score: Mapped[float] = mapped_column(Float)
    evidence: Mapped[str] = mapped_column(String(500), default="")
    detail: Mapped[str] = mapped_column(String(100), default="")  # kind and zone of a place
    model_version: Mapped[str | None] = mapped_column(String(40))

    item: Mapped[ItemRow] = relationship(back_populates="predictions")


class ItemSourceRow(Base):
    """Every place an item was found: the same email in two mailboxes is one item, two sources."""

    __tablename__ = "item_source"
    __table_args__ = (UniqueConstraint("item_id", "source", "ref"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("item.id", ondelete="CASCADE"), index=True)
    source: Mapped[str] = mapped_column(String(200))
    ref: Mapped[str] = mapped_column(String(1000))
    seen_at: Mapped[datetime] = mapped_column(UtcDateTime())
    sha256: Mapped[str | None] = mapped_column(String(64))  # this copy's bytes, in the file store

    item: Mapped[ItemRow] = relationship(back_populates="sources")


class ReviewEventRow(Base):
    """The audit trail: who changed what on an item, when, from what to what."""

    __tablename__ = "review_event"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("item.id", ondelete="CASCADE"), index=True)
    user: Mapped[str] = mapped_column(String(100))
    at: Mapped[datetime] = mapped_column(UtcDateTime(), index=True)
    action: Mapped[str] = mapped_column(String(40))
    before: Mapped[dict] = mapped_column(JSON, default=dict)
    after: Mapped[dict] = mapped_column(JSON, default=dict)
    comment: Mapped[str] = mapped_column(Text, default="")


class QuarantineRow(Base):
    __tablename__ = "quarantine"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    run_id: Mapped[int | None] = mapped_column(ForeignKey("run.id"))
    source: Mapped[str] = mapped_column(String(200))
    ref: Mapped[str] = mapped_column(String(1000))
    filename: Mapped[str] = mapped_column(String(500))
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    size: Mapped[int] = mapped_column(BigInteger)
    reason: Mapped[str] = mapped_column(String(2000))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    status: Mapped[str] = mapped_column(String(20), default="open", index=True)  # open, retried, discarded
    resolved_by: Mapped[str | None] = mapped_column(String(100))  # who retried or discarded it
    resolved_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    item_id: Mapped[int | None] = mapped_column(Integer)  # the item a successful retry stored
    reason_slug: Mapped[str] = mapped_column(String(40), default="unreadable", index=True)  # ItemError.slug
    note: Mapped[str] = mapped_column(String(1000), default="")  # why an admin discarded it
    retry_requested_by: Mapped[str | None] = mapped_column(String(100))  # retries run in the next `triage run`
    retry_requested_at: Mapped[datetime | None] = mapped_column(UtcDateTime())


class RunRow(Base):
    __tablename__ = "run"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    started_at: Mapped[datetime] = mapped_column(UtcDateTime(), index=True)
    finished_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    status: Mapped[str] = mapped_column(String(20), default="running")  # running, ok, partial, failed
    host: Mapped[str] = mapped_column(String(200), default="")
    counts: Mapped[dict] = mapped_column(JSON, default=dict)
    errors: Mapped[list] = mapped_column(JSON, default=list)
    exit_code: Mapped[int | None] = mapped_column(Integer)


class ChronoCounterRow(Base):
    """The registration number counter, one row per year."""

    __tablename__ = "chrono_counter"

    year: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    value: Mapped[int] = mapped_column(Integer, default=0)


class MailboxStateRow(Base):
    __tablename__ = "mailbox_state"
    __table_args__ = (UniqueConstraint("mailbox", "folder"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    mailbox: Mapped[str] = mapped_column(String(200))
    folder: Mapped[str] = mapped_column(String(500))
    uidvalidity: Mapped[int] = mapped_column(BigInteger)
    last_uid: Mapped[int] = mapped_column(BigInteger, default=0)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime())


class ModelVersionRow(Base):
    __tablename__ = "model_version"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    version: Mapped[str] = mapped_column(String(40), unique=True)
    digest: Mapped[str] = mapped_column(String(64))
    metrics: Mapped[dict] = mapped_column(JSON, default=dict)
    active: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())


class AppUserRow(Base):
    __tablename__ = "app_user"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(100), unique=True)
    role: Mapped[str] = mapped_column(String(20))  # agent, admin
    password_hash: Mapped[str] = mapped_column(String(300))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    # A service or town-hall account (role "service", migration 0012_directory) sees only the basket
    # of this directory entry (and of the absent colleagues it stands in for).
    entry_id: Mapped[int | None] = mapped_column(ForeignKey("directory_entry.id", ondelete="SET NULL"), index=True)
    email: Mapped[str] = mapped_column(String(320), default="")


class LetterRow(Base):
    """A letter drafted for an item (acknowledgement, transmission), and whether it was sent."""

    __tablename__ = "letter"
    __table_args__ = (UniqueConstraint("item_id", "kind"),)  # one letter of each kind per item

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("item.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(30))  # accuse_reception, transmission, avis_transmission
    recipient: Mapped[str] = mapped_column(String(500), default="")
    recipient_email: Mapped[str] = mapped_column(String(320), default="")
    channel: Mapped[str] = mapped_column(String(20))  # email, courrier
    subject: Mapped[str] = mapped_column(String(1000), default="")
    body: Mapped[str] = mapped_column(Text, default="")
    pdf_path: Mapped[str] = mapped_column(String(1000), default="")
    status: Mapped[str] = mapped_column(String(20), default="draft", index=True)  # draft, sent, failed, cancelled
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    sent_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    sent_by: Mapped[str] = mapped_column(String(100), default="")
    error: Mapped[str] = mapped_column(String(1000), default="")


class TrainingExampleRow(Base):
    """Historical labelled mail imported by an administrator (`triage train --import`)."""

    __tablename__ = "training_example"
    __table_args__ = (UniqueConstraint("sha256"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    source: Mapped[str] = mapped_column(String(500))
    sha256: Mapped[str] = mapped_column(String(64))  # of the text: an import run twice adds nothing
    text: Mapped[str] = mapped_column(Text)
    competence: Mapped[str] = mapped_column(String(40))
    commune: Mapped[str | None] = mapped_column(String(10))
    received_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    imported_at: Mapped[datetime] = mapped_column(UtcDateTime())


class WebSessionRow(Base):
    """A signed-in browser (migration 0006_web_sessions): deleting the row ends the session, whatever
    copies of its cookie exist (logout, new password, account disabled)."""

    __tablename__ = "web_session"

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)  # sha256 of the cookie's token
    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())


class LoginFailureRow(Base):
    """A wrong password, kept a quarter of an hour for the login throttle (migration 0006_web_sessions)."""

    __tablename__ = "login_failure"
    __table_args__ = (Index("ix_login_failure_name_at", "username", "at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(200))  # as normalised by the login (strip, casefold)
    client: Mapped[str] = mapped_column(String(100))  # the client's address
    at: Mapped[float] = mapped_column(Float, index=True)  # Unix time: compared the same on both backends


# --- Review desk (migration 0009_review_desk): claims on items, bulk actions that can be undone ---

class ItemClaimRow(Base):
    """A clerk has this item open: the others' "next" skips it until the claim expires or is released."""

    __tablename__ = "item_claim"

    item_id: Mapped[int] = mapped_column(ForeignKey("item.id", ondelete="CASCADE"), primary_key=True,
                                         autoincrement=False)
    user: Mapped[str] = mapped_column(String(100))
    claimed_at: Mapped[datetime] = mapped_column(UtcDateTime())
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime(), index=True)


class ReviewBatchRow(Base):
    """One bulk action (its events carry `batch_id`), so that it can be undone as a whole."""

    __tablename__ = "review_batch"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user: Mapped[str] = mapped_column(String(100))
    at: Mapped[datetime] = mapped_column(UtcDateTime())
    action: Mapped[str] = mapped_column(String(40))
    item_ids: Mapped[list] = mapped_column(JSON, default=list)
    undone_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    undone_by: Mapped[str | None] = mapped_column(String(100))


# --- Knowledge base: who does what (issue 14, migration 0011_knowledge) ---

class KnowledgeVersionRow(Base):
    """One version of the "who does what" book, whole (it is small): the latest is the current one;
    the older ones are the history an admin reads and may restore."""

    __tablename__ = "knowledge_version"

    number: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    author: Mapped[str] = mapped_column(String(100))
    note: Mapped[str] = mapped_column(String(500), default="")
    content: Mapped[dict] = mapped_column(JSON)


# --- scale (migration 0010_scale): a tab's pages in queue order, and the date + confidence filter,
# at a million items
Index("ix_item_status_order", ItemRow.status, ItemRow.urgent.desc(), ItemRow.due_date, ItemRow.id)
Index("ix_item_received_confidence", ItemRow.received_at, ItemRow.confidence)


# --- scale: archive imports (`triage import`, migration 0010_scale), one row per file once its
# outcome is committed, so an import killed at any point resumes where it stopped
class ArchiveFileRow(Base):
    __tablename__ = "archive_file"
    __table_args__ = (UniqueConstraint("archive", "path"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    archive: Mapped[str] = mapped_column(String(1000))  # the imported folder, absolute
    path: Mapped[str] = mapped_column(String(1000))  # relative to it
    size: Mapped[int] = mapped_column(BigInteger)
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    outcome: Mapped[str] = mapped_column(String(20))  # stored, duplicate, quarantined
    chrono: Mapped[str | None] = mapped_column(String(40))
    reason: Mapped[str] = mapped_column(String(1000), default="")
    competence: Mapped[str | None] = mapped_column(String(40))  # its label, when the archive had one
    done_at: Mapped[datetime] = mapped_column(UtcDateTime())


# --- scale: items per status as deltas inserted by triggers (migration 0010_scale), summed by
# pipeline/store/counts.py for the queue's tabs; never written by the application itself
class ItemCountRow(Base):
    __tablename__ = "item_count"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    status: Mapped[str] = mapped_column(String(20))
    n: Mapped[int] = mapped_column(BigInteger)


# --- The directory and the services' side (issue 12, migration 0012_directory) ---

class DirectoryEntryRow(Base):
    """A metropolitan service, a town hall or another administration, with its contact details."""

    __tablename__ = "directory_entry"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(20), index=True)  # service, mairie, administration
    # The routing key: a competence code for a service, an INSEE code for a town hall, a slug for an
    # administration ("prefecture-doubs").
    code: Mapped[str] = mapped_column(String(60), unique=True)
    name: Mapped[str] = mapped_column(String(300))
    email: Mapped[str] = mapped_column(String(320), default="")
    phone: Mapped[str] = mapped_column(String(40), default="")
    address: Mapped[str] = mapped_column(String(500), default="")  # postal address, one line per line
    head_name: Mapped[str] = mapped_column(String(200), default="")
    head_email: Mapped[str] = mapped_column(String(320), default="")
    engagement_days: Mapped[int | None] = mapped_column(Integer)  # answer within N working days; None: default
    words: Mapped[list] = mapped_column(JSON, default=list)  # administrations: words of a request for them
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime())
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version}


class DirectoryPersonRow(Base):
    """An agent of an entry (its head among them), their absences and who stands in for them."""

    __tablename__ = "directory_person"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    entry_id: Mapped[int] = mapped_column(ForeignKey("directory_entry.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str] = mapped_column(String(320), default="")
    username: Mapped[str] = mapped_column(String(100), default="", index=True)  # their account, "" if none
    is_head: Mapped[bool] = mapped_column(Boolean, default=False)
    absent_from: Mapped[date | None] = mapped_column(Date)
    absent_until: Mapped[date | None] = mapped_column(Date)  # inclusive
    substitute_id: Mapped[int | None] = mapped_column(ForeignKey("directory_person.id", ondelete="SET NULL"))


class DirectoryCopyRuleRow(Base):
    """Default copies: every item of this competence also goes, in copy, to this entry."""

    __tablename__ = "directory_copy_rule"
    __table_args__ = (UniqueConstraint("competence", "entry_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    competence: Mapped[str] = mapped_column(String(40), index=True)
    entry_id: Mapped[int] = mapped_column(ForeignKey("directory_entry.id", ondelete="CASCADE"))


class DirectoryEventRow(Base):
    """The directory's history: who changed which entry, when, from what to what (kept after a deletion)."""

    __tablename__ = "directory_event"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    entry_id: Mapped[int | None] = mapped_column(Integer, index=True)
    user: Mapped[str] = mapped_column(String(100))
    at: Mapped[datetime] = mapped_column(UtcDateTime(), index=True)
    action: Mapped[str] = mapped_column(String(40))  # created, updated, deleted, imported, person..., copy_rule...
    before: Mapped[dict] = mapped_column(JSON, default=dict)
    after: Mapped[dict] = mapped_column(JSON, default=dict)


class ItemDestinationRow(Base):
    """Where an item went: one principal destination and its copies, and what each service did with it."""

    __tablename__ = "item_destination"
    __table_args__ = (UniqueConstraint("item_id", "entry_id"),
                      Index("ix_item_destination_basket", "entry_id", "role", "answered_at", "item_id"))

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("item.id", ondelete="CASCADE"), index=True)
    entry_id: Mapped[int] = mapped_column(ForeignKey("directory_entry.id", ondelete="CASCADE"))
    role: Mapped[str] = mapped_column(String(10))  # principal, copy
    added_at: Mapped[datetime] = mapped_column(UtcDateTime())
    added_by: Mapped[str] = mapped_column(String(100), default="")  # "triage" when the routing added it
    notified_at: Mapped[datetime | None] = mapped_column(UtcDateTime())  # first told (digest or urgent mail)
    taken_at: Mapped[datetime | None] = mapped_column(UtcDateTime())  # "pris en charge"
    taken_by: Mapped[str] = mapped_column(String(100), default="")
    answered_at: Mapped[datetime | None] = mapped_column(UtcDateTime())  # "répondu" recorded
    answer_date: Mapped[date | None] = mapped_column(Date)  # the answer's own date
    answer_channel: Mapped[str] = mapped_column(String(20), default="")  # courrier, email, telephone, sur_place
    answered_by: Mapped[str] = mapped_column(String(100), default="")
    answer_note: Mapped[str] = mapped_column(String(1000), default="")
    redirected_at: Mapped[datetime | None] = mapped_column(UtcDateTime())  # "réorienté" to the mail team
    redirected_by: Mapped[str] = mapped_column(String(100), default="")
    redirect_reason: Mapped[str] = mapped_column(String(1000), default="")


class NotificationRow(Base):
    """The outbox of the services' emails: one row per message, keyed so that nothing is sent twice."""

    __tablename__ = "notification"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(20), index=True)  # digest, urgent, reminder, escalation
    key: Mapped[str] = mapped_column(String(300), unique=True)  # e.g. "digest:2026-12-03:entry-4:agent@..."
    entry_id: Mapped[int | None] = mapped_column(ForeignKey("directory_entry.id", ondelete="SET NULL"), index=True)
    recipient: Mapped[str] = mapped_column(String(320))
    subject: Mapped[str] = mapped_column(String(1000), default="")
    body: Mapped[str] = mapped_column(Text, default="")
    item_ids: Mapped[list] = mapped_column(JSON, default=list)
    status: Mapped[str] = mapped_column(String(20), default="pending", index=True)  # pending, sent, failed
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str] = mapped_column(String(1000), default="")
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    sent_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
