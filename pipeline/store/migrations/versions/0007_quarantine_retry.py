"""quarantine: a reason slug to group by, retries queued for the next run, the note of who discarded why

Revision ID: 0007_quarantine_retry
Revises: 0005_source_bytes
Create Date: 2026-12-03
"""
from alembic import op
import sqlalchemy as sa

revision = "0007_quarantine_retry"
down_revision = "0006_web_sessions"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("quarantine") as batch:
        batch.add_column(sa.Column("reason_slug", sa.String(length=40), nullable=False, server_default="unreadable"))
        batch.add_column(sa.Column("note", sa.String(length=1000), nullable=False, server_default=""))
        batch.add_column(sa.Column("retry_requested_by", sa.String(length=100), nullable=True))
        batch.add_column(sa.Column("retry_requested_at", sa.DateTime(timezone=True), nullable=True))
        batch.create_index("ix_quarantine_reason_slug", ["reason_slug"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("quarantine") as batch:
        batch.drop_index("ix_quarantine_reason_slug")
        for column in ("retry_requested_at", "retry_requested_by", "note", "reason_slug"):
            batch.drop_column(column)
