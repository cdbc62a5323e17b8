"""A ticket owns several dedup keys (grouped storms); flapping and recovery state on tickets.

Revision ID: intake_0005
Revises: intake_0004
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "intake_0005"
down_revision = "intake_0004"


def upgrade() -> None:
    """Create ticket_keys from the tickets' own keys; add flap and recovery columns."""
    ts = sa.DateTime(timezone=True)
    op.create_table(
        "ticket_keys",
        sa.Column("integration", sa.Text, nullable=False),
        sa.Column("dedup_key", sa.Text, nullable=False),
        sa.Column("ticket_id", sa.Text, nullable=False),
        sa.Column("state", sa.Text, nullable=False),
        sa.Column("first_seen_at", ts, nullable=False),
        sa.Column("last_seen_at", ts, nullable=False),
        sa.PrimaryKeyConstraint("integration", "dedup_key", "ticket_id"),
    )
    # At most one firing key per condition: the ticket its alerts fold into.
    op.create_index(
        "ticket_keys_firing",
        "ticket_keys",
        ["integration", "dedup_key"],
        unique=True,
        postgresql_where=sa.text("state = 'firing'"),
    )
    op.create_index("ticket_keys_ticket", "ticket_keys", ["ticket_id"])
    op.execute(
        "INSERT INTO ticket_keys (integration, dedup_key, ticket_id, state, first_seen_at, "
        "last_seen_at) SELECT integration, dedup_key, id, CASE WHEN status IN ('resolved', "
        "'closed', 'cancelled') THEN 'resolved' ELSE 'firing' END, opened_at, last_alert_at "
        "FROM tickets"
    )
    op.add_column(
        "tickets", sa.Column("flap_count", sa.Integer, nullable=False, server_default="0")
    )
    op.add_column("tickets", sa.Column("recovered_at", ts))
    op.create_index("tickets_client_device_open", "tickets", ["client_id", "device", "opened_at"])
