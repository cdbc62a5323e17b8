"""SLA timer's tables: one row per clock; running rows are the pending timers."""

from __future__ import annotations

from sqlalchemy import Boolean, Column, DateTime, Integer, MetaData, Table, Text, false

metadata = MetaData()

clocks = Table(
    "clocks",
    metadata,
    Column("id", Text, primary_key=True),
    Column("ticket_id", Text, nullable=False),
    Column("client_id", Text, nullable=False),
    Column("metric", Text, nullable=False),
    Column("policy", Text, nullable=False),
    Column("target_seconds", Integer, nullable=False),
    Column("state", Text, nullable=False),
    Column("started_at", DateTime(timezone=True), nullable=False),
    Column("due_at", DateTime(timezone=True), nullable=False),
    Column("stopped_at", DateTime(timezone=True)),
    Column("correlation_id", Text, nullable=False),
    # Drill tickets' clocks run (the rehearsal includes breaches) but SLA reports leave them out.
    Column("drill", Boolean, nullable=False, server_default=false()),
)

# The priority routing gave each ticket, kept so a clock started after it uses it too (the routing
# and tickets topics are separate streams, so either event may arrive first).
routed_priorities = Table(
    "routed_priorities",
    metadata,
    Column("ticket_id", Text, primary_key=True),
    Column("priority", Text, nullable=False),
    Column("rule", Text, nullable=False),
)
