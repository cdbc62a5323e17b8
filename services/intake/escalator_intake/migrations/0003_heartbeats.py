"""Heartbeats: when each integration last showed a sign of life.

Revision ID: intake_0003
Revises: intake_0002
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "intake_0003"
down_revision = "intake_0002"


def upgrade() -> None:
    """Create the table."""
    op.create_table(
        "heartbeats",
        sa.Column("integration", sa.Text, primary_key=True),
        sa.Column("client_id", sa.Text, nullable=False),
        sa.Column("every_seconds", sa.Integer, nullable=False),
        sa.Column("last_seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("state", sa.Text, nullable=False),
    )
