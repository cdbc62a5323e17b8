"""Vendor gateway's first tables: vendor cases, and the plumbing tables.

Revision ID: vendor_gateway_0001
Revises:
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from escalator_shared.db.plumbing_migration import create_plumbing_tables_v1

revision = "vendor_gateway_0001"
down_revision = None


def upgrade() -> None:
    """Create the tables."""
    create_plumbing_tables_v1()
    op.create_table(
        "vendor_cases",
        sa.Column("ticket_id", sa.Text, primary_key=True),
        sa.Column("vendor", sa.Text, primary_key=True),
        sa.Column("client_id", sa.Text, nullable=False),
        sa.Column("status", sa.Text, nullable=False),
        sa.Column("reason", sa.Text, nullable=False),
        sa.Column("requested_by", sa.Text, nullable=False),
        sa.Column("requested_at", sa.DateTime(timezone=True), nullable=False),
    )
