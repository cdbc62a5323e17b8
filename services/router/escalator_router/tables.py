"""Router's tables: each ticket's routing decision, its escalation chain, and the steps reached."""

from __future__ import annotations

from sqlalchemy import BigInteger, Column, DateTime, Float, Integer, MetaData, Table, Text
from sqlalchemy.dialects.postgresql import JSONB

metadata = MetaData()

routings = Table(
    "routings",
    metadata,
    Column("ticket_id", Text, primary_key=True),
    Column("client_id", Text, nullable=False),
    Column("rule", Text, nullable=False),
    Column("tier", Text, nullable=False),
    Column("team", Text),
    Column("assignee", Text),
    Column("backup", Text),
    Column("priority", Text, nullable=False),
    Column("vendor", Text),
    Column("routed_at", DateTime(timezone=True), nullable=False),
    Column("schedule", Text),
    Column("manager", Text),
    Column("priority_reason", Text),
    Column("escalation_policy", Text),
    Column("facts", JSONB),
)

# One row per ticket: where its chain stands, with the policy snapshotted when routing started it.
# The row is also the chain's durable timer (`next_at`); the timer locks it before moving it.
escalations = Table(
    "escalations",
    metadata,
    Column("ticket_id", Text, primary_key=True),
    Column("client_id", Text, nullable=False),
    Column("correlation_id", Text, nullable=False),
    Column("title", Text, nullable=False),
    Column("priority", Text, nullable=False),
    Column("tier", Text, nullable=False),
    Column("policy", JSONB, nullable=False),
    Column("assignee", Text),
    Column("backup", Text),
    Column("manager", Text),
    Column("step", Integer, nullable=False),
    Column("round", Integer, nullable=False),
    Column("status", Text, nullable=False),
    Column("next_at", DateTime(timezone=True)),
    Column("started_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
)

# Every step a chain reached, for reports: time to escalate per step, escalations per tier.
escalation_steps = Table(
    "escalation_steps",
    metadata,
    Column("id", BigInteger, primary_key=True, autoincrement=True),
    Column("ticket_id", Text, nullable=False),
    Column("client_id", Text, nullable=False),
    Column("policy", Text, nullable=False),
    Column("step", Integer, nullable=False),
    Column("round", Integer, nullable=False),
    Column("reason", Text, nullable=False),
    Column("people", JSONB, nullable=False),
    Column("reached_at", DateTime(timezone=True), nullable=False),
    Column("seconds_since_start", Float, nullable=False),
)

# Tickets that count toward a major outage, by service, for the sliding window.
outage_watch = Table(
    "outage_watch",
    metadata,
    Column("ticket_id", Text, primary_key=True),
    Column("client_id", Text, nullable=False),
    Column("service", Text, nullable=False),
    Column("opened_at", DateTime(timezone=True), nullable=False),
)

# The last major outage declared per service: executives are paged once per window, not per ticket.
major_outages = Table(
    "major_outages",
    metadata,
    Column("service", Text, primary_key=True),
    Column("declared_at", DateTime(timezone=True), nullable=False),
    Column("ticket_id", Text, nullable=False),
    Column("reason", Text, nullable=False),
)
