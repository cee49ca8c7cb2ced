"""review desk: claims on the items a clerk has open, bulk actions kept so they can be undone

Revision ID: 0009_review_desk
Revises: 0007_quarantine_retry
Create Date: 2026-12-03
"""
from alembic import op
import sqlalchemy as sa

revision = "0009_review_desk"
down_revision = "0008_registration"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "item_claim",
        sa.Column("item_id", sa.Integer(), sa.ForeignKey("item.id", ondelete="CASCADE"), primary_key=True,
                  autoincrement=False),
        sa.Column("user", sa.String(length=100), nullable=False),
        sa.Column("claimed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_item_claim_expires_at", "item_claim", ["expires_at"])
    op.create_table(
        "review_batch",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("user", sa.String(length=100), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("action", sa.String(length=40), nullable=False),
        sa.Column("item_ids", sa.JSON(), nullable=False),
        sa.Column("undone_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("undone_by", sa.String(length=100), nullable=True),
    )


def downgrade() -> None:
    op.drop_table("review_batch")
    op.drop_index("ix_item_claim_expires_at", table_name="item_claim")
    op.drop_table("item_claim")
