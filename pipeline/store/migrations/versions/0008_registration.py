"""item: registration fields read from the letter (address, postcode, town, phone, reference, letter date),
an email's thread identifiers, and the link of a follow-up to the earlier item

Revision ID: 0008_registration
Revises: 0007_quarantine_retry
Create Date: 2026-12-03
"""
from alembic import op
import sqlalchemy as sa

revision = "0008_registration"
down_revision = "0007_quarantine_retry"
branch_labels = None
depends_on = None

TEXTS = (("sender_address", 500), ("sender_postcode", 10), ("sender_town", 200), ("sender_phone", 40),
         ("sender_reference", 200), ("thread_ids", 4000), ("followup_reason", 300))


def upgrade() -> None:
    with op.batch_alter_table("item") as batch:
        for name, length in TEXTS:
            batch.add_column(sa.Column(name, sa.String(length=length), nullable=False, server_default=""))
        batch.add_column(sa.Column("letter_date", sa.Date(), nullable=True))
        batch.add_column(sa.Column("followup_of", sa.Integer(), nullable=True))
        batch.create_foreign_key("fk_item_followup_of", "item", ["followup_of"], ["id"], ondelete="SET NULL")
        batch.create_index("ix_item_followup_of", ["followup_of"], unique=False)
        batch.create_index("ix_item_sender_postcode", ["sender_postcode"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("item") as batch:
        batch.drop_index("ix_item_sender_postcode")
        batch.drop_index("ix_item_followup_of")
        batch.drop_constraint("fk_item_followup_of", type_="foreignkey")
        for name in ("followup_of", "letter_date", *(n for n, _ in TEXTS)):
            batch.drop_column(column_name=name)
