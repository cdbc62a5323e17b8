"""Vendor cases that arrived before their ticket's opening, kept until it arrives.

Revision ID: sla_timer_0004
Revises: sla_timer_0003
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "sla_timer_0004"
down_revision = "sla_timer_0003"


def upgrade() -> None:
    """Create waiting_vendor_cases."""
    ts = sa.DateTime(timezone=True)
    op.create_table(
        "waiting_vendor_cases",
        sa.Column("ticket_id", sa.Text, primary_key=True),
        sa.Column("case_reference", sa.Text, primary_key=True),
        sa.Column("vendor", sa.Text, nullable=False),
        sa.Column("opened_at", ts, nullable=False),
        sa.Column("acknowledged_at", ts),
        sa.Column("resolved_at", ts),
    )


def downgrade() -> None:
    """Drop waiting_vendor_cases."""
    op.drop_table("waiting_vendor_cases")
