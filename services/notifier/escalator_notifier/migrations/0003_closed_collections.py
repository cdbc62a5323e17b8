"""A bundle or digest stops taking members once it is first claimed for sending.

Its retries, its recovery after a crash, and its fallback to another channel then never clash
with the person's next open collection.

Revision ID: notifier_0003
Revises: notifier_0002
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "notifier_0003"
down_revision = "notifier_0002"


def upgrade() -> None:
    """Narrow the one-open-collection index to collections nobody has tried to send."""
    op.drop_index("deliveries_open_collection", table_name="deliveries")
    op.create_index(
        "deliveries_open_collection",
        "deliveries",
        ["recipient", "channel", "kind"],
        unique=True,
        postgresql_where=sa.text(
            "status = 'pending' AND kind IN ('bundle', 'digest') AND attempts = 0 "
            "AND fallback_of IS NULL"
        ),
    )
