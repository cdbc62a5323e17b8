"""Major outages: tickets counted per service, and the last declaration per service.

Revision ID: router_0003
Revises: router_0002
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "router_0003"
down_revision = "router_0002"


def upgrade() -> None:
    """Create outage_watch and major_outages."""
    op.create_table(
        "outage_watch",
        sa.Column("ticket_id", sa.Text, primary_key=True),
        sa.Column("client_id", sa.Text, nullable=False),
        sa.Column("service", sa.Text, nullable=False),
        sa.Column("opened_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("outage_watch_service_time", "outage_watch", ["service", "opened_at"])
    op.create_table(
        "major_outages",
        sa.Column("service", sa.Text, primary_key=True),
        sa.Column("declared_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ticket_id", sa.Text, nullable=False),
        sa.Column("reason", sa.Text, nullable=False),
    )
