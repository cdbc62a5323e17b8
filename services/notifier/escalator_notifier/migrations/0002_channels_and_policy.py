"""Channels and policy: what a delivery says and why, attempts, rate windows, ticket facts.

Revision ID: notifier_0002
Revises: notifier_0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision = "notifier_0002"
down_revision = "notifier_0001"

_TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    """Add the columns and tables; index what the worker and the API look up."""
    for column in ("backup", "team", "policy"):
        op.add_column("assignments", sa.Column(column, sa.Text))
    op.create_table(
        "tickets",
        sa.Column("ticket_id", sa.Text, primary_key=True),
        sa.Column("client_id", sa.Text, nullable=False),
        sa.Column("reference", sa.Text),
        sa.Column("title", sa.Text, nullable=False),
        sa.Column("priority", sa.Text, nullable=False),
        sa.Column("ticket_type", sa.Text, nullable=False),
        sa.Column("source", sa.Text, nullable=False),
        sa.Column("requester", sa.Text),
        sa.Column("requester_message_id", sa.Text),
        sa.Column("opened_at", _TS, nullable=False),
        sa.Column("acknowledged", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("resolved", sa.Boolean, nullable=False, server_default=sa.false()),
    )
    op.create_table(
        "ticket_clocks",
        sa.Column("ticket_id", sa.Text, primary_key=True),
        sa.Column("metric", sa.Text, primary_key=True),
        sa.Column("due_at", _TS),
        sa.Column("remaining_seconds", sa.Integer),
        sa.Column("state", sa.Text, nullable=False),
    )
    op.add_column(
        "deliveries", sa.Column("kind", sa.Text, nullable=False, server_default="message")
    )
    op.add_column("deliveries", sa.Column("priority", sa.Text))
    op.add_column(
        "deliveries",
        sa.Column("details", JSONB, nullable=False, server_default=sa.text("'{}'::jsonb")),
    )
    op.add_column("deliveries", sa.Column("held_until", _TS))
    op.add_column("deliveries", sa.Column("repeat", sa.Integer, nullable=False, server_default="0"))
    op.add_column("deliveries", sa.Column("collection", sa.Text))
    op.add_column(
        "deliveries", sa.Column("item_count", sa.Integer, nullable=False, server_default="0")
    )
    op.add_column("deliveries", sa.Column("lease_until", _TS))
    op.add_column("deliveries", sa.Column("fallback_of", sa.Text))
    op.add_column("deliveries", sa.Column("provider_response", sa.Text))
    # One open bundle per person and channel, one open digest per person.
    op.create_index(
        "deliveries_open_collection",
        "deliveries",
        ["recipient", "channel", "kind"],
        unique=True,
        postgresql_where=sa.text("status = 'pending' AND kind IN ('bundle', 'digest')"),
    )
    op.create_index(
        "deliveries_members",
        "deliveries",
        ["collection"],
        postgresql_where=sa.text("collection IS NOT NULL"),
    )
    op.create_index(
        "deliveries_sending",
        "deliveries",
        ["lease_until"],
        postgresql_where=sa.text("status = 'sending'"),
    )
    op.create_table(
        "delivery_attempts",
        sa.Column("delivery_id", sa.Text, primary_key=True),
        sa.Column("attempt", sa.Integer, primary_key=True),
        sa.Column("channel", sa.Text, nullable=False),
        sa.Column("address", sa.Text, nullable=False),
        sa.Column("outcome", sa.Text, nullable=False),
        sa.Column("provider_response", sa.Text, nullable=False),
        sa.Column("latency_ms", sa.Float, nullable=False),
        sa.Column("at", _TS, nullable=False),
    )
    op.create_table(
        "rate_windows",
        sa.Column("recipient", sa.Text, primary_key=True),
        sa.Column("channel", sa.Text, primary_key=True),
        sa.Column("window_start", _TS, nullable=False),
        sa.Column("sent", sa.Integer, nullable=False),
    )
