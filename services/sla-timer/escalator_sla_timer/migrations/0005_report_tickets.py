"""The reporting read model: one record of facts per ticket, folded from the event topics.

Revision ID: sla_timer_0005
Revises: sla_timer_0004
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision = "sla_timer_0005"
down_revision = "sla_timer_0004"


def upgrade() -> None:
    """Create report_tickets."""
    ts = sa.DateTime(timezone=True)
    op.create_table(
        "report_tickets",
        sa.Column("ticket_id", sa.Text, primary_key=True),
        sa.Column("client_id", sa.Text, nullable=False),
        sa.Column("opened_at", ts),
        sa.Column("resolved_at", ts),
        sa.Column("drill", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("record", JSONB, nullable=False),
    )
    op.create_index("report_tickets_by_opening", "report_tickets", ["opened_at"])


def downgrade() -> None:
    """Drop report_tickets."""
    op.drop_table("report_tickets")
