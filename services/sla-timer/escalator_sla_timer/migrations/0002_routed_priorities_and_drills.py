"""The priority routing gave each ticket; drill clocks marked.

Revision ID: sla_timer_0002
Revises: sla_timer_0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "sla_timer_0002"
down_revision = "sla_timer_0001"


def upgrade() -> None:
    """Create routed_priorities; add clocks.drill."""
    op.add_column(
        "clocks", sa.Column("drill", sa.Boolean, nullable=False, server_default=sa.false())
    )
    op.create_table(
        "routed_priorities",
        sa.Column("ticket_id", sa.Text, primary_key=True),
        sa.Column("priority", sa.Text, nullable=False),
        sa.Column("rule", sa.Text, nullable=False),
    )
