"""API tokens issued through the API: their digests and state (the token itself is never kept).

Revision ID: intake_0008
Revises: intake_0007
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision = "intake_0008"
down_revision = "intake_0007"


def upgrade() -> None:
    """Create api_tokens."""
    op.create_table(
        "api_tokens",
        sa.Column("id", sa.Text, primary_key=True),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("person", sa.Text),
        sa.Column("contact", sa.Text),
        sa.Column("role", sa.Text),
        sa.Column("clients", JSONB),
        sa.Column("token_sha256", sa.Text, nullable=False, unique=True),
        sa.Column("expires_at", sa.DateTime(timezone=True)),
        sa.Column("issued_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("issued_by", sa.Text, nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True)),
        sa.Column("revoked_by", sa.Text),
    )
