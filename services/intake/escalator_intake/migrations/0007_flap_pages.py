"""Flapping tickets remember when their condition came back and when that last paged.

Revision ID: intake_0007
Revises: intake_0006
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision = "intake_0007"
down_revision = "intake_0006"


def upgrade() -> None:
    """Add flap_times (the returns within the flap window) and flap_paged_at to tickets."""
    op.add_column(
        "tickets",
        sa.Column("flap_times", JSONB, nullable=False, server_default=sa.text("'[]'::jsonb")),
    )
    op.add_column("tickets", sa.Column("flap_paged_at", sa.DateTime(timezone=True)))
