"""Business-time clocks: targets as intervals, pauses, warnings, cycles, shards; the clock log;
what the timer knows of tickets (replaces routed_priorities).

Revision ID: sla_timer_0003
Revises: sla_timer_0002
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision = "sla_timer_0003"
down_revision = "sla_timer_0002"


def upgrade() -> None:
    """Reshape clocks; create clock_log and sla_tickets; drop routed_priorities."""
    ts = sa.DateTime(timezone=True)
    _add_clock_columns(ts)
    op.execute(
        "UPDATE clocks SET target = make_interval(secs => target_seconds), elapsed = interval '0',"
        " running_since = CASE WHEN state = 'running' THEN started_at END,"
        " fire_at = CASE WHEN state = 'running' THEN due_at END,"
        " breached_at = CASE WHEN state = 'breached' THEN stopped_at END,"
        " state = CASE WHEN state = 'breached' THEN 'running' ELSE state END,"
        " shard = abs(hashtext(ticket_id))"
    )
    for name in ("target", "elapsed", "shard"):
        op.alter_column("clocks", name, nullable=False)
    op.drop_column("clocks", "target_seconds")
    op.drop_constraint("clocks_one_per_ticket_metric", "clocks")
    op.create_unique_constraint(
        "clocks_one_per_ticket_metric_cycle", "clocks", ["ticket_id", "metric", "cycle"]
    )
    op.drop_index("clocks_running_due", "clocks")
    op.create_index(
        "clocks_fire_at", "clocks", ["fire_at"], postgresql_where=sa.text("fire_at IS NOT NULL")
    )
    op.create_index("clocks_ticket", "clocks", ["ticket_id"])
    op.create_index("clocks_started_at", "clocks", ["started_at"])
    op.create_table(
        "clock_log",
        sa.Column("id", sa.BigInteger, primary_key=True, autoincrement=True),
        sa.Column("clock_id", sa.Text, nullable=False),
        sa.Column("ticket_id", sa.Text, nullable=False),
        sa.Column("kind", sa.Text, nullable=False),
        sa.Column("at", ts, nullable=False),
        sa.Column("detail", JSONB, nullable=False),
    )
    op.create_index("clock_log_ticket", "clock_log", ["ticket_id"])
    _create_sla_tickets(ts)


def _add_clock_columns(ts: sa.DateTime) -> None:
    columns: list[sa.Column[Any]] = [
        sa.Column("cycle", sa.Integer, nullable=False, server_default="0"),
        sa.Column("calendar", sa.Text, nullable=False, server_default="24x7"),
        sa.Column("priority", sa.Text, nullable=False, server_default="P3"),
        sa.Column("target", sa.Interval),
        sa.Column("elapsed", sa.Interval),
        sa.Column("running_since", ts),
        sa.Column("breached_at", ts),
        sa.Column("warned", sa.Integer, nullable=False, server_default="0"),
        sa.Column("reminders", sa.Integer, nullable=False, server_default="0"),
        sa.Column("warn_at", sa.ARRAY(sa.Integer), nullable=False, server_default="{50,75}"),
        sa.Column("remind_every", sa.Interval),
        sa.Column("remind_limit", sa.Integer, nullable=False, server_default="0"),
        sa.Column("fire_at", ts),
        sa.Column("shard", sa.BigInteger),
        sa.Column("vendor", sa.Text),
        sa.Column("case_reference", sa.Text),
    ]
    for column in columns:
        op.add_column("clocks", column)


def _create_sla_tickets(ts: sa.DateTime) -> None:
    op.create_table(
        "sla_tickets",
        sa.Column("ticket_id", sa.Text, primary_key=True),
        sa.Column("client_id", sa.Text),
        sa.Column("source", sa.Text),
        sa.Column("ticket_type", sa.Text),
        sa.Column("priority", sa.Text),
        sa.Column("opened_at", ts),
        sa.Column("tier", sa.Text),
        sa.Column("routed_priority", sa.Text),
        sa.Column("routed_rule", sa.Text),
        sa.Column("status", sa.Text),
        sa.Column("correlation_id", sa.Text),
        sa.Column("drill", sa.Boolean, nullable=False, server_default=sa.false()),
    )
    op.execute(
        "INSERT INTO sla_tickets (ticket_id, routed_priority, routed_rule)"
        " SELECT ticket_id, priority, rule FROM routed_priorities"
    )
    op.drop_table("routed_priorities")
