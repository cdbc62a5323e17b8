"""Test-only schema: the plumbing tables and a table a probe handler writes to.

Revision ID: probe_0001
Revises:
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from escalator_shared.db.plumbing_migration import create_plumbing_tables_v1

revision = "probe_0001"
down_revision = None


def upgrade() -> None:
    """Create the tables."""
    create_plumbing_tables_v1()
    op.create_table(
        "side_effects",
        sa.Column("id", sa.BigInteger, sa.Identity(), primary_key=True),
        sa.Column("event_id", sa.Text, nullable=False),
    )
