"""Intake's tables: tickets (the read model people query), alerts, timelines and inbound mail."""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    DateTime,
    FetchedValue,
    Identity,
    Integer,
    LargeBinary,
    MetaData,
    Table,
    Text,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB

metadata = MetaData()

tickets = Table(
    "tickets",
    metadata,
    Column("id", Text, primary_key=True),
    Column("client_id", Text, nullable=False),
    Column("integration", Text, nullable=False),
    Column("source", Text, nullable=False),
    Column("dedup_key", Text, nullable=False),
    Column("status", Text, nullable=False),
    Column("priority", Text, nullable=False),
    Column("severity", Text, nullable=False),
    Column("title", Text, nullable=False),
    Column("description", Text, nullable=False),
    Column("device", Text),
    Column("labels", JSONB, nullable=False),
    Column("tier", Text),
    Column("team", Text),
    Column("assignee", Text),
    Column("alert_count", Integer, nullable=False),
    Column("sla", JSONB, nullable=False),
    Column("opened_at", DateTime(timezone=True), nullable=False),
    Column("last_alert_at", DateTime(timezone=True), nullable=False),
    Column("acknowledged_at", DateTime(timezone=True)),
    Column("acknowledged_by", Text),
    Column("resolved_at", DateTime(timezone=True)),
    Column("resolved_by", Text),
    Column("impact", Text),
    Column("urgency", Text),
    Column("hold_reason", Text),
    Column("flap_count", Integer, nullable=False, server_default="0"),
    Column("recovered_at", DateTime(timezone=True)),
    # When the condition came back within the flap window (ISO instants, the window's only).
    Column("flap_times", JSONB, nullable=False, server_default=text("'[]'::jsonb")),
    # When the ticket last paged for flapping (at most once per flap window).
    Column("flap_paged_at", DateTime(timezone=True)),
    # TKT-<number> in subjects; drawn from a sequence by the database.
    Column("number", BigInteger, nullable=False, server_default=FetchedValue()),
    Column("requester", Text),
)

alerts = Table(
    "alerts",
    metadata,
    Column("id", Text, primary_key=True),
    Column("ticket_id", Text, nullable=False),
    Column("status", Text, nullable=False),
    Column("received_at", DateTime(timezone=True), nullable=False),
)

timeline = Table(
    "timeline",
    metadata,
    Column("event_id", Text, primary_key=True),
    Column("ticket_id", Text, nullable=False),
    Column("event_type", Text, nullable=False),
    Column("producer", Text, nullable=False),
    Column("occurred_at", DateTime(timezone=True), nullable=False),
    Column("summary", Text, nullable=False),
    Column("data", JSONB, nullable=False),
)

heartbeats = Table(
    "heartbeats",
    metadata,
    Column("integration", Text, primary_key=True),
    Column("client_id", Text, nullable=False),
    Column("every_seconds", Integer, nullable=False),
    Column("last_seen_at", DateTime(timezone=True), nullable=False),
    Column("state", Text, nullable=False),
)

rejected_requests = Table(
    "rejected_requests",
    metadata,
    Column("id", Text, primary_key=True),
    Column("integration", Text, nullable=False),
    Column("received_at", DateTime(timezone=True), nullable=False),
    Column("status_code", Integer, nullable=False),
    Column("error", Text, nullable=False),
    Column("content_type", Text),
    Column("body", LargeBinary, nullable=False),
    Column("replayed_at", DateTime(timezone=True)),
    Column("replay_result", Text),
)

ticket_keys = Table(
    "ticket_keys",
    metadata,
    Column("integration", Text, primary_key=True),
    Column("dedup_key", Text, primary_key=True),
    Column("ticket_id", Text, primary_key=True),
    Column("state", Text, nullable=False),
    Column("first_seen_at", DateTime(timezone=True), nullable=False),
    Column("last_seen_at", DateTime(timezone=True), nullable=False),
)

inbound_emails = Table(
    "inbound_emails",
    metadata,
    Column("id", Text, primary_key=True),
    Column("channel", Text, nullable=False),
    Column("source_ref", Text, unique=True),
    Column("received_at", DateTime(timezone=True), nullable=False),
    Column("envelope_from", Text),
    Column("recipients", JSONB, nullable=False),
    Column("size", Integer, nullable=False),
    Column("raw", LargeBinary, nullable=False),
    Column("state", Text, nullable=False),
    Column("message_id", Text),
    Column("from_address", Text),
    Column("subject", Text),
    Column("outcome", Text),
    Column("detail", Text),
    Column("ticket_id", Text),
    Column("client_id", Text),
    Column("processed_at", DateTime(timezone=True)),
)

email_threads = Table(
    "email_threads",
    metadata,
    Column("message_id", Text, primary_key=True),
    Column("ticket_id", Text, nullable=False),
    Column("direction", Text, nullable=False),
    Column("recorded_at", DateTime(timezone=True), nullable=False),
)

# API tokens issued through POST /v1/tokens: digests only (docs/security.md).
api_tokens = Table(
    "api_tokens",
    metadata,
    Column("id", Text, primary_key=True),
    Column("name", Text, nullable=False),
    Column("person", Text),
    Column("contact", Text),
    Column("role", Text),
    Column("clients", JSONB),
    Column("token_sha256", Text, nullable=False, unique=True),
    Column("expires_at", DateTime(timezone=True)),
    Column("issued_at", DateTime(timezone=True), nullable=False),
    Column("issued_by", Text, nullable=False),
    Column("revoked_at", DateTime(timezone=True)),
    Column("revoked_by", Text),
    Column("kind", Text, nullable=False, server_default="token"),
)

# Sign-in attempts, for locking an account or address after repeated failures.
sign_in_attempts = Table(
    "sign_in_attempts",
    metadata,
    Column("id", BigInteger, Identity(always=True), primary_key=True),
    Column("email", Text, nullable=False),
    Column("source", Text, nullable=False),
    Column("at", DateTime(timezone=True), nullable=False),
    Column("succeeded", Boolean, nullable=False),
)

# Single sign-ons under way: the browser is at the provider. Keyed by the state's digest; the
# PKCE verifier and nonce wait here (any intake instance may take the callback), used once.
sso_logins = Table(
    "sso_logins",
    metadata,
    Column("state_sha256", Text, primary_key=True),
    Column("nonce", Text, nullable=False),
    Column("code_verifier", Text, nullable=False),
    Column("redirect_uri", Text, nullable=False),
    Column("next", Text, nullable=False),
    Column("expires_at", DateTime(timezone=True), nullable=False),
)

# Staff actions and failed tokens from every service (StaffActionRecorded; GET /v1/audit).
audit_log = Table(
    "audit_log",
    metadata,
    Column("event_id", Text, primary_key=True),
    Column("at", DateTime(timezone=True), nullable=False),
    Column("service", Text, nullable=False),
    Column("person", Text),
    Column("role", Text),
    Column("token", Text),
    Column("source", Text),
    Column("method", Text, nullable=False),
    Column("path", Text, nullable=False),
    Column("status", Integer, nullable=False),
    Column("outcome", Text, nullable=False),
)
