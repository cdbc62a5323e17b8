"""Sign-in: attempts (for lockout) and sessions as a kind of issued token.

Revision ID: intake_0010
Revises: intake_0009
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "intake_0010"
down_revision = "intake_0009"


def upgrade() -> None:
    """Create sign_in_attempts; api_tokens gain their kind (token or session)."""
    op.create_table(
        "sign_in_attempts",
        sa.Column("id", sa.BigInteger, sa.Identity(always=True), primary_key=True),
        sa.Column("email", sa.Text, nullable=False),
        sa.Column("source", sa.Text, nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("succeeded", sa.Boolean, nullable=False),
    )
    op.create_index("sign_in_attempts_email_at", "sign_in_attempts", ["email", "at"])
    op.create_index("sign_in_attempts_source_at", "sign_in_attempts", ["source", "at"])
    op.add_column("api_tokens", sa.Column("kind", sa.Text, nullable=False, server_default="token"))
