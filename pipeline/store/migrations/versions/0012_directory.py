"""directory: services, town halls and administrations with their agents; item destinations (principal
and copies) with what each service did; service accounts; the notifications' outbox

Revision ID: 0012_directory
Revises: 0011_knowledge
Create Date: 2026-12-03
"""
from alembic import op
import sqlalchemy as sa

revision = "0012_directory"
down_revision = "0011_knowledge"
branch_labels = None
depends_on = None

NOW = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "directory_entry",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("kind", sa.String(20), nullable=False, index=True),
        sa.Column("code", sa.String(60), nullable=False, unique=True),
        sa.Column("name", sa.String(300), nullable=False),
        sa.Column("email", sa.String(320), nullable=False, server_default=""),
        sa.Column("phone", sa.String(40), nullable=False, server_default=""),
        sa.Column("address", sa.String(500), nullable=False, server_default=""),
        sa.Column("head_name", sa.String(200), nullable=False, server_default=""),
        sa.Column("head_email", sa.String(320), nullable=False, server_default=""),
        sa.Column("engagement_days", sa.Integer(), nullable=True),
        sa.Column("words", sa.JSON(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False, server_default=sa.true()),
        sa.Column("updated_at", NOW, nullable=False),
        sa.Column("version", sa.Integer(), nullable=False, server_default="1"),
    )
    op.create_table(
        "directory_person",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("entry_id", sa.Integer(), sa.ForeignKey("directory_entry.id", ondelete="CASCADE"),
                  nullable=False, index=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("email", sa.String(320), nullable=False, server_default=""),
        sa.Column("username", sa.String(100), nullable=False, server_default="", index=True),
        sa.Column("is_head", sa.Boolean(), nullable=False, server_default=sa.false()),
        sa.Column("absent_from", sa.Date(), nullable=True),
        sa.Column("absent_until", sa.Date(), nullable=True),
        sa.Column("substitute_id", sa.Integer(), sa.ForeignKey("directory_person.id", ondelete="SET NULL"),
                  nullable=True),
    )
    op.create_table(
        "directory_copy_rule",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("competence", sa.String(40), nullable=False, index=True),
        sa.Column("entry_id", sa.Integer(), sa.ForeignKey("directory_entry.id", ondelete="CASCADE"),
                  nullable=False),
        sa.UniqueConstraint("competence", "entry_id"),
    )
    op.create_table(
        "directory_event",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("entry_id", sa.Integer(), nullable=True, index=True),
        sa.Column("user", sa.String(100), nullable=False),
        sa.Column("at", NOW, nullable=False, index=True),
        sa.Column("action", sa.String(40), nullable=False),
        sa.Column("before", sa.JSON(), nullable=False),
        sa.Column("after", sa.JSON(), nullable=False),
    )
    op.create_table(
        "item_destination",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("item_id", sa.Integer(), sa.ForeignKey("item.id", ondelete="CASCADE"), nullable=False,
                  index=True),
        sa.Column("entry_id", sa.Integer(), sa.ForeignKey("directory_entry.id", ondelete="CASCADE"),
                  nullable=False),
        sa.Column("role", sa.String(10), nullable=False),
        sa.Column("added_at", NOW, nullable=False),
        sa.Column("added_by", sa.String(100), nullable=False, server_default=""),
        sa.Column("notified_at", NOW, nullable=True),
        sa.Column("taken_at", NOW, nullable=True),
        sa.Column("taken_by", sa.String(100), nullable=False, server_default=""),
        sa.Column("answered_at", NOW, nullable=True),
        sa.Column("answer_date", sa.Date(), nullable=True),
        sa.Column("answer_channel", sa.String(20), nullable=False, server_default=""),
        sa.Column("answered_by", sa.String(100), nullable=False, server_default=""),
        sa.Column("answer_note", sa.String(1000), nullable=False, server_default=""),
        sa.Column("redirected_at", NOW, nullable=True),
        sa.Column("redirected_by", sa.String(100), nullable=False, server_default=""),
        sa.Column("redirect_reason", sa.String(1000), nullable=False, server_default=""),
        sa.UniqueConstraint("item_id", "entry_id"),
    )
    op.create_index("ix_item_destination_basket", "item_destination",
                    ["entry_id", "role", "answered_at", "item_id"])
    op.create_table(
        "notification",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("kind", sa.String(20), nullable=False, index=True),
        sa.Column("key", sa.String(300), nullable=False, unique=True),
        sa.Column("entry_id", sa.Integer(), sa.ForeignKey("directory_entry.id", ondelete="SET NULL"),
                  nullable=True, index=True),
        sa.Column("recipient", sa.String(320), nullable=False),
        sa.Column("subject", sa.String(1000), nullable=False, server_default=""),
        sa.Column("body", sa.Text(), nullable=False, server_default=""),
        sa.Column("item_ids", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(20), nullable=False, server_default="pending", index=True),
        sa.Column("attempts", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("last_error", sa.String(1000), nullable=False, server_default=""),
        sa.Column("created_at", NOW, nullable=False),
        sa.Column("sent_at", NOW, nullable=True),
    )
    # No table rebuild on SQLite (it would drop web_session's rows through the foreign key): plain
    # added columns; the foreign key of entry_id is declared where the backend can add it in place.
    op.add_column("app_user", sa.Column("email", sa.String(320), nullable=False, server_default=""))
    if op.get_bind().dialect.name == "sqlite":
        op.add_column("app_user", sa.Column("entry_id", sa.Integer(), nullable=True))
    else:
        op.add_column("app_user", sa.Column("entry_id", sa.Integer(),
                                            sa.ForeignKey("directory_entry.id", ondelete="SET NULL"),
                                            nullable=True))
    op.create_index("ix_app_user_entry_id", "app_user", ["entry_id"])


def downgrade() -> None:
    op.drop_index("ix_app_user_entry_id", table_name="app_user")
    with op.batch_alter_table("app_user") as batch:
        batch.drop_column("entry_id")
        batch.drop_column("email")
    op.drop_table("notification")
    op.drop_index("ix_item_destination_basket", table_name="item_destination")
    for table in ("item_destination", "directory_event", "directory_copy_rule", "directory_person",
                  "directory_entry"):
        op.drop_table(table)
