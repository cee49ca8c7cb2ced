"""review page: queue indexes, full-text search, quarantine resolution

Revision ID: 0002_review
Revises: 0001
Create Date: 2026-11-28

Full-text search over subject, sender and text: an FTS5 table kept in step by triggers on
SQLite, a stored generated tsvector column with a GIN index on PostgreSQL (stored, so matching a
common word never recomputes to_tsvector row by row). pipeline/web/search.py queries both.
"""
from alembic import op
import sqlalchemy as sa


revision = "0002_review"
down_revision = "0001"
branch_labels = None
depends_on = None

PG_DOCUMENT = ("to_tsvector('french', coalesce(subject, '') || ' ' || coalesce(sender, '') || ' ' || "
               "coalesce(sender_email, '') || ' ' || left(coalesce(text, ''), 200000))")

SQLITE_FTS = [
    "CREATE VIRTUAL TABLE IF NOT EXISTS item_fts USING fts5(subject, sender, sender_email, text, "
    "content='item', content_rowid='id', tokenize='unicode61 remove_diacritics 2')",
    "CREATE TRIGGER IF NOT EXISTS item_fts_insert AFTER INSERT ON item BEGIN "
    "INSERT INTO item_fts(rowid, subject, sender, sender_email, text) "
    "VALUES (new.id, new.subject, new.sender, new.sender_email, new.text); END",
    "CREATE TRIGGER IF NOT EXISTS item_fts_delete AFTER DELETE ON item BEGIN "
    "INSERT INTO item_fts(item_fts, rowid, subject, sender, sender_email, text) "
    "VALUES ('delete', old.id, old.subject, old.sender, old.sender_email, old.text); END",
    "CREATE TRIGGER IF NOT EXISTS item_fts_update AFTER UPDATE OF subject, sender, sender_email, text ON item BEGIN "
    "INSERT INTO item_fts(item_fts, rowid, subject, sender, sender_email, text) "
    "VALUES ('delete', old.id, old.subject, old.sender, old.sender_email, old.text); "
    "INSERT INTO item_fts(rowid, subject, sender, sender_email, text) "
    "VALUES (new.id, new.subject, new.sender, new.sender_email, new.text); END",
    "INSERT INTO item_fts(item_fts) VALUES ('rebuild')",
]


def upgrade() -> None:
    with op.batch_alter_table("item") as batch:
        batch.create_index("ix_item_queue", ["status", "urgent", "due_date", "id"])
        batch.create_index("ix_item_order", [sa.text("urgent DESC"), "due_date", "id"])
        batch.create_index("ix_item_routing", ["status", "destination_kind", "competence", "commune"])
        batch.create_index("ix_item_received_at", ["received_at"])
    with op.batch_alter_table("quarantine") as batch:
        batch.add_column(sa.Column("resolved_by", sa.String(length=100), nullable=True))
        batch.add_column(sa.Column("resolved_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("item_id", sa.Integer(), nullable=True))
        batch.create_index("ix_quarantine_status", ["status"])
    with op.batch_alter_table("run") as batch:
        batch.create_index("ix_run_started_at", ["started_at"])
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        for statement in SQLITE_FTS:
            op.execute(statement)
    elif dialect == "postgresql":
        op.execute(f"ALTER TABLE item ADD COLUMN search_vector tsvector GENERATED ALWAYS AS ({PG_DOCUMENT}) STORED")
        op.execute("CREATE INDEX ix_item_fulltext ON item USING gin (search_vector)")


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        for name in ("item_fts_insert", "item_fts_delete", "item_fts_update"):
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
        op.execute("DROP TABLE IF EXISTS item_fts")
    elif dialect == "postgresql":
        op.execute("DROP INDEX IF EXISTS ix_item_fulltext")
        op.execute("ALTER TABLE item DROP COLUMN IF EXISTS search_vector")
    with op.batch_alter_table("run") as batch:
        batch.drop_index("ix_run_started_at")
    with op.batch_alter_table("quarantine") as batch:
        batch.drop_index("ix_quarantine_status")
        batch.drop_column("item_id")
        batch.drop_column("resolved_at")
        batch.drop_column("resolved_by")
    with op.batch_alter_table("item") as batch:
        batch.drop_index("ix_item_received_at")
        batch.drop_index("ix_item_routing")
        batch.drop_index("ix_item_order")
        batch.drop_index("ix_item_queue")
