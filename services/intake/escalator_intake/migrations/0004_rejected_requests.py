"""Rejected requests: bodies that failed parsing, kept for an operator to inspect and replay.

Revision ID: intake_0004
Revises: intake_0003
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "intake_0004"
down_revision = "intake_0003"


def upgrade() -> None:
    """Create the table."""
    ts = sa.DateTime(timezone=True)
    op.create_table(
        "rejected_requests",
        sa.Column("id", sa.Text, primary_key=True),
        sa.Column("integration", sa.Text, nullable=False),
        sa.Column("received_at", ts, nullable=False),
        sa.Column("status_code", sa.Integer, nullable=False),
        sa.Column("error", sa.Text, nullable=False),
        sa.Column("content_type", sa.Text),
        sa.Column("body", sa.LargeBinary, nullable=False),
        sa.Column("replayed_at", ts),
        sa.Column("replay_result", sa.Text),
    )
    op.create_index("rejected_requests_received", "rejected_requests", ["received_at"])
