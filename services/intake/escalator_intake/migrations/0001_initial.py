"""Intake's first tables: tickets, alerts, timeline, and the plumbing tables.

Revision ID: intake_0001
Revises:
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

from escalator_shared.db.plumbing_migration import create_plumbing_tables_v1

revision = "intake_0001"
down_revision = None


def upgrade() -> None:
    """Create the tables."""
    create_plumbing_tables_v1()
    ts = sa.DateTime(timezone=True)
    op.create_table(
        "tickets",
        sa.Column("id", sa.Text, primary_key=True),
        sa.Column("client_id", sa.Text, nullable=False),
        sa.Column("integration", sa.Text, nullable=False),
        sa.Column("source", sa.Text, nullable=False),
        sa.Column("dedup_key", sa.Text, nullable=False),
        sa.Column("status", sa.Text, nullable=False),
        sa.Column("priority", sa.Text, nullable=False),
        sa.Column("severity", sa.Text, nullable=False),
        sa.Column("title", sa.Text, nullable=False),
        sa.Column("description", sa.Text, nullable=False),
        sa.Column("device", sa.Text),
        sa.Column("labels", JSONB, nullable=False),
        sa.Column("tier", sa.Text),
        sa.Column("team", sa.Text),
        sa.Column("assignee", sa.Text),
        sa.Column("alert_count", sa.Integer, nullable=False),
        sa.Column("sla", JSONB, nullable=False),
        sa.Column("opened_at", ts, nullable=False),
        sa.Column("last_alert_at", ts, nullable=False),
        sa.Column("acknowledged_at", ts),
        sa.Column("acknowledged_by", sa.Text),
        sa.Column("resolved_at", ts),
        sa.Column("resolved_by", sa.Text),
    )
    # One open ticket per integration and dedup key.
    op.create_index(
        "tickets_open_dedup",
        "tickets",
        ["integration", "dedup_key"],
        unique=True,
        postgresql_where=sa.text("status NOT IN ('resolved', 'closed', 'cancelled')"),
    )
    op.create_table(
        "alerts",
        sa.Column("id", sa.Text, primary_key=True),
        sa.Column("ticket_id", sa.Text, nullable=False),
        sa.Column("status", sa.Text, nullable=False),
        sa.Column("received_at", ts, nullable=False),
    )
    op.create_table(
        "timeline",
        sa.Column("event_id", sa.Text, primary_key=True),
        sa.Column("ticket_id", sa.Text, nullable=False),
        sa.Column("event_type", sa.Text, nullable=False),
        sa.Column("producer", sa.Text, nullable=False),
        sa.Column("occurred_at", ts, nullable=False),
        sa.Column("summary", sa.Text, nullable=False),
        sa.Column("data", JSONB, nullable=False),
    )
    op.create_index("timeline_ticket", "timeline", ["ticket_id", "occurred_at"])
