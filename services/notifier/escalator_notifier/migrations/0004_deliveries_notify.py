"""New deliveries notify the sending workers (LISTEN/NOTIFY), in this instance or another, so
a message queued by a consumer goes out without waiting for the next poll.

Revision ID: notifier_0004
Revises: notifier_0003
"""

from __future__ import annotations

from alembic import op

from escalator_shared.db.table_listener import drop_notify_on_insert_sql, notify_on_insert_sql

revision = "notifier_0004"
down_revision = "notifier_0003"


def upgrade() -> None:
    """A statement trigger on deliveries that notifies `<schema>.deliveries`."""
    for statement in notify_on_insert_sql("deliveries"):
        op.execute(statement)


def downgrade() -> None:
    """Drop the trigger and its function."""
    for statement in drop_notify_on_insert_sql("deliveries"):
        op.execute(statement)
