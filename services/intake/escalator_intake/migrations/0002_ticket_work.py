"""Impact, urgency and hold reason on tickets, for technician commands.

Revision ID: intake_0002
Revises: intake_0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "intake_0002"
down_revision = "intake_0001"


def upgrade() -> None:
    """Add the columns."""
    op.add_column("tickets", sa.Column("impact", sa.Text))
    op.add_column("tickets", sa.Column("urgency", sa.Text))
    op.add_column("tickets", sa.Column("hold_reason", sa.Text))
