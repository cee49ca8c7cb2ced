"""operations: letters to senders and the purge marker

Revision ID: 0003_operations
Revises: 0001
Create Date: 2026-11-29
"""
from alembic import op
import sqlalchemy as sa


revision = "0003_operations"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "letter",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=30), nullable=False),
        sa.Column("recipient", sa.String(length=500), nullable=False),
        sa.Column("recipient_email", sa.String(length=320), nullable=False),
        sa.Column("channel", sa.String(length=20), nullable=False),
        sa.Column("subject", sa.String(length=1000), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("pdf_path", sa.String(length=1000), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("sent_by", sa.String(length=100), nullable=False),
        sa.Column("error", sa.String(length=1000), nullable=False),
        sa.ForeignKeyConstraint(["item_id"], ["item.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("item_id", "kind"),
    )
    with op.batch_alter_table("letter", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_letter_item_id"), ["item_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_letter_status"), ["status"], unique=False)
    # A plain ALTER TABLE ADD COLUMN: never a table copy, which on SQLite would cascade deletes.
    op.add_column("item", sa.Column("purged_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("item", schema=None) as batch_op:
        batch_op.drop_column("purged_at")
    with op.batch_alter_table("letter", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_letter_status"))
        batch_op.drop_index(batch_op.f("ix_letter_item_id"))
    op.drop_table("letter")
