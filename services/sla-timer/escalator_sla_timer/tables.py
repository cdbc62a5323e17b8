"""SLA timer's tables: one row per clock; running rows are the pending timers."""

from __future__ import annotations

from sqlalchemy import Column, DateTime, Integer, MetaData, Table, Text

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
)
