"""SLA timer's first tables: clocks, and the plumbing tables.

Revision ID: sla_timer_0001
Revises:
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from escalator_shared.db.plumbing_migration import create_plumbing_tables_v1

revision = "sla_timer_0001"
down_revision = None


def upgrade() -> None:
    """Create the tables."""
    create_plumbing_tables_v1()
    ts = sa.DateTime(timezone=True)
    op.create_table(
        "clocks",
        sa.Column("id", sa.Text, primary_key=True),
        sa.Column("ticket_id", sa.Text, nullable=False),
        sa.Column("client_id", sa.Text, nullable=False),
        sa.Column("metric", sa.Text, nullable=False),
        sa.Column("policy", sa.Text, nullable=False),
        sa.Column("target_seconds", sa.Integer, nullable=False),
        sa.Column("state", sa.Text, nullable=False),
        sa.Column("started_at", ts, nullable=False),
        sa.Column("due_at", ts, nullable=False),
        sa.Column("stopped_at", ts),
        sa.Column("correlation_id", sa.Text, nullable=False),
        sa.UniqueConstraint("ticket_id", "metric", name="clocks_one_per_ticket_metric"),
    )
    # The timer scan reads only running clocks, soonest first.
    op.create_index(
        "clocks_running_due",
        "clocks",
        ["due_at"],
        postgresql_where=sa.text("state = 'running'"),
    )
