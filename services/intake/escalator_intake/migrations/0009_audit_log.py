"""The audit log: staff actions and failed tokens from every service (GET /v1/audit).

Revision ID: intake_0009
Revises: intake_0008
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "intake_0009"
down_revision = "intake_0008"


def upgrade() -> None:
    """Create audit_log, read newest first and by person."""
    op.create_table(
        "audit_log",
        sa.Column("event_id", sa.Text, primary_key=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("service", sa.Text, nullable=False),
        sa.Column("person", sa.Text),
        sa.Column("role", sa.Text),
        sa.Column("token", sa.Text),
        sa.Column("source", sa.Text),
        sa.Column("method", sa.Text, nullable=False),
        sa.Column("path", sa.Text, nullable=False),
        sa.Column("status", sa.Integer, nullable=False),
        sa.Column("outcome", sa.Text, nullable=False),
    )
    op.create_index("audit_log_at", "audit_log", ["at"])
    op.create_index("audit_log_person_at", "audit_log", ["person", "at"])
