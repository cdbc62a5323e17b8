"""Notifier's first tables: assignments, deliveries, and the plumbing tables.

Revision ID: notifier_0001
Revises:
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from escalator_shared.db.plumbing_migration import create_plumbing_tables_v1

revision = "notifier_0001"
down_revision = None


def upgrade() -> None:
    """Create the tables."""
    create_plumbing_tables_v1()
    ts = sa.DateTime(timezone=True)
    op.create_table(
        "assignments",
        sa.Column("ticket_id", sa.Text, primary_key=True),
        sa.Column("client_id", sa.Text, nullable=False),
        sa.Column("title", sa.Text, nullable=False),
        sa.Column("priority", sa.Text, nullable=False),
        sa.Column("tier", sa.Text, nullable=False),
        sa.Column("assignee", sa.Text),
    )
    op.create_table(
        "deliveries",
        sa.Column("id", sa.Text, primary_key=True),
        sa.Column("trigger_event_id", sa.Text, nullable=False),
        sa.Column("trigger_occurred_at", ts, nullable=False),
        sa.Column("correlation_id", sa.Text, nullable=False),
        sa.Column("ticket_id", sa.Text, nullable=False),
        sa.Column("client_id", sa.Text, nullable=False),
        sa.Column("recipient", sa.Text, nullable=False),
        sa.Column("channel", sa.Text, nullable=False),
        sa.Column("address", sa.Text, nullable=False),
        sa.Column("subject", sa.Text, nullable=False),
        sa.Column("body", sa.Text, nullable=False),
        sa.Column("status", sa.Text, nullable=False),
        sa.Column("attempts", sa.Integer, nullable=False),
        sa.Column("next_attempt_at", ts, nullable=False),
        sa.Column("last_error", sa.Text),
        sa.Column("created_at", ts, nullable=False),
        sa.Column("finished_at", ts),
        # Never the same event twice to the same person on the same channel.
        sa.UniqueConstraint("trigger_event_id", "recipient", "channel", name="deliveries_once"),
    )
    op.create_index(
        "deliveries_pending",
        "deliveries",
        ["next_attempt_at"],
        postgresql_where=sa.text("status = 'pending'"),
    )
    op.create_index("deliveries_ticket", "deliveries", ["ticket_id"])
