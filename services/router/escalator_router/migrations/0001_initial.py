"""Router's first tables: routings, and the plumbing tables.

Revision ID: router_0001
Revises:
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from escalator_shared.db.plumbing_migration import create_plumbing_tables_v1

revision = "router_0001"
down_revision = None


def upgrade() -> None:
    """Create the tables."""
    create_plumbing_tables_v1()
    op.create_table(
        "routings",
        sa.Column("ticket_id", sa.Text, primary_key=True),
        sa.Column("client_id", sa.Text, nullable=False),
        sa.Column("rule", sa.Text, nullable=False),
        sa.Column("tier", sa.Text, nullable=False),
        sa.Column("team", sa.Text),
        sa.Column("assignee", sa.Text),
        sa.Column("backup", sa.Text),
        sa.Column("priority", sa.Text, nullable=False),
        sa.Column("vendor", sa.Text),
        sa.Column("routed_at", sa.DateTime(timezone=True), nullable=False),
    )
