"""each source of an item keeps the sha256 of its own copy's bytes

Revision ID: 0005_source_bytes
Revises: 0004_learning
Create Date: 2026-11-29
"""
from alembic import op
import sqlalchemy as sa

revision = "0005_source_bytes"
down_revision = "0004_learning"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("item_source") as batch:
        batch.add_column(sa.Column("sha256", sa.String(length=64), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("item_source") as batch:
        batch.drop_column("sha256")
