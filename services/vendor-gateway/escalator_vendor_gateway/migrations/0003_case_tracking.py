"""Tracking open cases: when the vendor's API was last asked for the status (and what went
wrong), and how far up the vendor's escalation ladder a case has been chased.

Revision ID: vendor_gateway_0003
Revises: vendor_gateway_0002
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "vendor_gateway_0003"
down_revision = "vendor_gateway_0002"


def upgrade() -> None:
    """Add polled_at, poll_error and chased_levels to vendor_cases."""
    op.add_column("vendor_cases", sa.Column("polled_at", sa.DateTime(timezone=True)))
    op.add_column("vendor_cases", sa.Column("poll_error", sa.Text))
    op.add_column(
        "vendor_cases",
        sa.Column("chased_levels", sa.Integer, nullable=False, server_default="0"),
    )
    # Open cases are what the poller and the chaser look through.
    op.create_index(
        "vendor_cases_at_vendor",
        "vendor_cases",
        ["vendor", "opened_at"],
        postgresql_where=sa.text("status IN ('open', 'acknowledged')"),
    )


def downgrade() -> None:
    """Drop them."""
    op.drop_index("vendor_cases_at_vendor", table_name="vendor_cases")
    for column in ("chased_levels", "poll_error", "polled_at"):
        op.drop_column("vendor_cases", column)
