"""Notifier's tables: what it knows of each ticket, every delivery, and every attempt at one.

A delivery is one message to one recipient on one channel. Its `kind` is a notice (assigned,
escalated, paged, sla_warning, sla_breached, vendor_update, message), a customer update
(customer_received, customer_escalated, customer_resolved), or a collection: a `bundle` of the
messages a rate limit held back, or a `digest` of low-priority ones. Members of a collection
point at it through `collection`.
"""

from __future__ import annotations

from sqlalchemy import Boolean, Column, DateTime, Float, Integer, MetaData, Table, Text, text
from sqlalchemy.dialects.postgresql import JSONB

metadata = MetaData()

# A delivery's states: waiting to be sent, claimed, done one way or another, or folded into a
# collection (a rate-limit bundle, a digest).
PENDING, SENDING, SENT, FAILED, UNSURE, CANCELLED = (
    "pending",
    "sending",
    "sent",
    "failed",
    "unsure",
    "cancelled",
)
BUNDLED, IN_DIGEST = "bundled", "digest"
COLLECTIONS = ("bundle", "digest")

# The predicate of the unique index `deliveries_open_collection` (migration 0003): the one
# bundle per person and channel, and the one digest per person, that still takes members.
OPEN_COLLECTION = text(
    "status = 'pending' AND kind IN ('bundle', 'digest') AND attempts = 0 AND fallback_of IS NULL"
)

assignments = Table(
    "assignments",
    metadata,
    Column("ticket_id", Text, primary_key=True),
    Column("client_id", Text, nullable=False),
    Column("title", Text, nullable=False),
    Column("priority", Text, nullable=False),
    Column("tier", Text, nullable=False),
    Column("assignee", Text),
    Column("backup", Text),
    Column("team", Text),
    Column("policy", Text),
)

tickets = Table(
    "tickets",
    metadata,
    Column("ticket_id", Text, primary_key=True),
    Column("client_id", Text, nullable=False),
    Column("reference", Text),
    Column("title", Text, nullable=False),
    Column("priority", Text, nullable=False),
    Column("ticket_type", Text, nullable=False),
    Column("source", Text, nullable=False),
    Column("requester", Text),
    Column("requester_message_id", Text),
    Column("opened_at", DateTime(timezone=True), nullable=False),
    Column("acknowledged", Boolean, nullable=False),
    Column("resolved", Boolean, nullable=False),
)

ticket_clocks = Table(
    "ticket_clocks",
    metadata,
    Column("ticket_id", Text, primary_key=True),
    Column("metric", Text, primary_key=True),
    Column("due_at", DateTime(timezone=True)),
    Column("remaining_seconds", Integer),
    Column("state", Text, nullable=False),
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
    Column("kind", Text, nullable=False),
    Column("priority", Text),
    Column("details", JSONB, nullable=False),
    Column("held_until", DateTime(timezone=True)),
    Column("repeat", Integer, nullable=False),
    Column("collection", Text),
    Column("item_count", Integer, nullable=False),
    Column("lease_until", DateTime(timezone=True)),
    Column("fallback_of", Text),
    Column("provider_response", Text),
)

delivery_attempts = Table(
    "delivery_attempts",
    metadata,
    Column("delivery_id", Text, primary_key=True),
    Column("attempt", Integer, primary_key=True),
    Column("channel", Text, nullable=False),
    Column("address", Text, nullable=False),
    Column("outcome", Text, nullable=False),
    Column("provider_response", Text, nullable=False),
    Column("latency_ms", Float, nullable=False),
    Column("at", DateTime(timezone=True), nullable=False),
)

rate_windows = Table(
    "rate_windows",
    metadata,
    Column("recipient", Text, primary_key=True),
    Column("channel", Text, primary_key=True),
    Column("window_start", DateTime(timezone=True), nullable=False),
    Column("sent", Integer, nullable=False),
)
