"""Single sign-on: sign-ins under way at the provider.

Revision ID: intake_0011
Revises: intake_0010
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "intake_0011"
down_revision = "intake_0010"


def upgrade() -> None:
    """Create sso_logins."""
    op.create_table(
        "sso_logins",
        sa.Column("state_sha256", sa.Text, primary_key=True),
        sa.Column("nonce", sa.Text, nullable=False),
        sa.Column("code_verifier", sa.Text, nullable=False),
        sa.Column("redirect_uri", sa.Text, nullable=False),
        sa.Column("next", sa.Text, nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("sso_logins_expires_at", "sso_logins", ["expires_at"])
