"""Escalation chains: routing details, the chain per ticket (its durable timer), steps reached.

Revision ID: router_0002
Revises: router_0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision = "router_0002"
down_revision = "router_0001"


def upgrade() -> None:
    """Add routing columns; create escalations and escalation_steps."""
    for name, kind in (
        ("schedule", sa.Text),
        ("manager", sa.Text),
        ("priority_reason", sa.Text),
        ("escalation_policy", sa.Text),
    ):
        op.add_column("routings", sa.Column(name, kind))
    op.add_column("routings", sa.Column("facts", JSONB))
    op.create_table(
        "escalations",
        sa.Column("ticket_id", sa.Text, primary_key=True),
        sa.Column("client_id", sa.Text, nullable=False),
        sa.Column("correlation_id", sa.Text, nullable=False),
        sa.Column("title", sa.Text, nullable=False),
        sa.Column("priority", sa.Text, nullable=False),
        sa.Column("tier", sa.Text, nullable=False),
        sa.Column("policy", JSONB, nullable=False),
        sa.Column("assignee", sa.Text),
        sa.Column("backup", sa.Text),
        sa.Column("manager", sa.Text),
        sa.Column("step", sa.Integer, nullable=False),
        sa.Column("round", sa.Integer, nullable=False),
        sa.Column("status", sa.Text, nullable=False),
        sa.Column("next_at", sa.DateTime(timezone=True)),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index(
        "escalations_due",
        "escalations",
        ["next_at"],
        postgresql_where=sa.text("status = 'active' AND next_at IS NOT NULL"),
    )
    op.create_table(
        "escalation_steps",
        sa.Column("id", sa.BigInteger, primary_key=True, autoincrement=True),
        sa.Column("ticket_id", sa.Text, nullable=False),
        sa.Column("client_id", sa.Text, nullable=False),
        sa.Column("policy", sa.Text, nullable=False),
        sa.Column("step", sa.Integer, nullable=False),
        sa.Column("round", sa.Integer, nullable=False),
        sa.Column("reason", sa.Text, nullable=False),
        sa.Column("people", JSONB, nullable=False),
        sa.Column("reached_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("seconds_since_start", sa.Float, nullable=False),
    )
    op.create_index("escalation_steps_ticket", "escalation_steps", ["ticket_id"])
