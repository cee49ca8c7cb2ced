"""server-side sessions of the review page and the login throttle's failures

Revision ID: 0006_web_sessions
Revises: 0005_source_bytes
Create Date: 2026-12-03
"""
from alembic import op
import sqlalchemy as sa

revision = "0006_web_sessions"
down_revision = "0005_source_bytes"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "web_session",
        sa.Column("token_hash", sa.String(length=64), primary_key=True),
        sa.Column("user_id", sa.Integer(), sa.ForeignKey("app_user.id", ondelete="CASCADE"), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False))
    op.create_index("ix_web_session_user_id", "web_session", ["user_id"])
    op.create_table(
        "login_failure",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("username", sa.String(length=200), nullable=False),
        sa.Column("client", sa.String(length=100), nullable=False),
        sa.Column("at", sa.Float(), nullable=False))
    op.create_index("ix_login_failure_name_at", "login_failure", ["username", "at"])
    op.create_index("ix_login_failure_at", "login_failure", ["at"])


def downgrade() -> None:
    op.drop_table("login_failure")
    op.drop_table("web_session")
