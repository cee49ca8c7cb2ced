"""scale: accent-insensitive full-text search on PostgreSQL, indexes for a million items, archive imports

Revision ID: 0010_scale
Revises: 0007_quarantine_retry
Create Date: 2026-12-03

PostgreSQL: `triage_unaccent(text)`, an IMMUTABLE function (so a generated column and its index
may use it) built on the `unaccent` extension when the server has it, else on translate() over
the Latin letters French uses; the search document is rebuilt through it ("besancon" finds
"Besançon", "electricite" finds "électricité"), and the queries fold their words the same way
(pipeline/store/search.py). SQLite's FTS5 table already removes diacritics.

Indexes for the review pages at a million items: a tab's pages in the exact queue order (status,
then urgent first, due date, registration), received date + confidence for the date filter; the
chrono number is already unique.

`archive_file`: what `triage import` has done with each file of an archive (pipeline/archive.py).
"""
from alembic import op
import sqlalchemy as sa

revision = "0010_scale"
down_revision = "0007_quarantine_retry"
branch_labels = None
depends_on = ("0002_review",)  # rebuilds the search column 0002 created

FOLD_FROM = "àâäáãåçéèêëíìîïñóòôöõúùûüýÿÀÂÄÁÃÅÇÉÈÊËÍÌÎÏÑÓÒÔÖÕÚÙÛÜÝŸ"
FOLD_TO = "aaaaaaceeeeiiiinooooouuuuyyAAAAAACEEEEIIIINOOOOOUUUUYY"
UNACCENT_BODY = "SELECT public.unaccent('public.unaccent'::regdictionary, $1)"
TRANSLATE_BODY = (f"SELECT replace(replace(replace(replace(translate($1, '{FOLD_FROM}', '{FOLD_TO}'), "
                  "'œ', 'oe'), 'Œ', 'OE'), 'æ', 'ae'), 'Æ', 'AE')")
DOCUMENT = ("to_tsvector('french', triage_unaccent(coalesce(subject, '') || ' ' || coalesce(sender, '') || ' ' || "
            "coalesce(sender_email, '') || ' ' || left(coalesce(text, ''), 200000)))")
OLD_DOCUMENT = ("to_tsvector('french', coalesce(subject, '') || ' ' || coalesce(sender, '') || ' ' || "
                "coalesce(sender_email, '') || ' ' || left(coalesce(text, ''), 200000))")


def _unaccent_available(bind) -> bool:
    """CREATE EXTENSION needs the package installed and the right to create it: try, inside a savepoint."""
    if not bind.execute(sa.text("SELECT 1 FROM pg_available_extensions WHERE name = 'unaccent'")).first():
        return False
    savepoint = bind.begin_nested()
    try:
        bind.execute(sa.text("CREATE EXTENSION IF NOT EXISTS unaccent SCHEMA public"))
    except sa.exc.DBAPIError:
        savepoint.rollback()
        return False
    savepoint.commit()
    return True


def upgrade() -> None:
    op.create_table(
        "archive_file",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("archive", sa.String(length=1000), nullable=False),
        sa.Column("path", sa.String(length=1000), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("outcome", sa.String(length=20), nullable=False),
        sa.Column("chrono", sa.String(length=40), nullable=True),
        sa.Column("reason", sa.String(length=1000), nullable=False),
        sa.Column("competence", sa.String(length=40), nullable=True),
        sa.Column("done_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("archive", "path"),
    )
    op.create_index("ix_archive_file_sha256", "archive_file", ["sha256"])
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        body = UNACCENT_BODY if _unaccent_available(bind) else TRANSLATE_BODY
        op.execute(f"CREATE OR REPLACE FUNCTION triage_unaccent(text) RETURNS text "
                   f"LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT AS $$ {body} $$")
        op.execute("DROP INDEX IF EXISTS ix_item_fulltext")
        op.execute("ALTER TABLE item DROP COLUMN IF EXISTS search_vector")
        op.execute(f"ALTER TABLE item ADD COLUMN search_vector tsvector GENERATED ALWAYS AS ({DOCUMENT}) STORED")
        op.execute("CREATE INDEX ix_item_fulltext ON item USING gin (search_vector)")
    with op.batch_alter_table("item") as batch:
        batch.create_index("ix_item_received_confidence", ["received_at", "confidence"])
        batch.create_index("ix_item_status_order", ["status", sa.text("urgent DESC"), "due_date", "id"])


def downgrade() -> None:
    op.drop_index("ix_archive_file_sha256", table_name="archive_file")
    op.drop_table("archive_file")
    with op.batch_alter_table("item") as batch:
        batch.drop_index("ix_item_status_order")
        batch.drop_index("ix_item_received_confidence")
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP INDEX IF EXISTS ix_item_fulltext")
        op.execute("ALTER TABLE item DROP COLUMN IF EXISTS search_vector")
        op.execute(f"ALTER TABLE item ADD COLUMN search_vector tsvector GENERATED ALWAYS AS ({OLD_DOCUMENT}) STORED")
        op.execute("CREATE INDEX ix_item_fulltext ON item USING gin (search_vector)")
        op.execute("DROP FUNCTION IF EXISTS triage_unaccent(text)")
