"""knowledge_version: the "who does what" book, one whole version per edit

Revision ID: 0011_knowledge
Revises: 0007_quarantine_retry
Create Date: 2026-12-03
"""
from alembic import op
import sqlalchemy as sa

revision = "0011_knowledge"
down_revision = "0010_scale"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "knowledge_version",
        sa.Column("number", sa.Integer(), primary_key=True, autoincrement=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("author", sa.String(length=100), nullable=False),
        sa.Column("note", sa.String(length=500), nullable=False, server_default=""),
        sa.Column("content", sa.JSON(), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("knowledge_version")
