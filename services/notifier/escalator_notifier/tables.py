"""Notifier's tables: who has each ticket, and every delivery with its outcome."""

from __future__ import annotations

from sqlalchemy import Column, DateTime, Integer, MetaData, Table, Text

metadata = MetaData()

assignments = Table(
    "assignments",
    metadata,
    Column("ticket_id", Text, primary_key=True),
    Column("client_id", Text, nullable=False),
    Column("title", Text, nullable=False),
    Column("priority", Text, nullable=False),
    Column("tier", Text, nullable=False),
    Column("assignee", Text),
)

deliveries = Table(
    "deliveries",
    metadata,
    Column("id", Text, primary_key=True),
    Column("trigger_event_id", Text, nullable=False),
    Column("trigger_occurred_at", DateTime(timezone=True), nullable=False),
    Column("correlation_id", Text, nullable=False),
    Column("ticket_id", Text, nullable=False),
    Column("client_id", Text, nullable=False),
    Column("recipient", Text, nullable=False),
    Column("channel", Text, nullable=False),
    Column("address", Text, nullable=False),
    Column("subject", Text, nullable=False),
    Column("body", Text, nullable=False),
    Column("status", Text, nullable=False),
    Column("attempts", Integer, nullable=False),
    Column("next_attempt_at", DateTime(timezone=True), nullable=False),
    Column("last_error", Text),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("finished_at", DateTime(timezone=True)),
)
