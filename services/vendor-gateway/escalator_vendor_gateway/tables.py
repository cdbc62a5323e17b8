"""Vendor gateway's tables: what it knows of each ticket, and one case per ticket and vendor."""

from __future__ import annotations

from sqlalchemy import Boolean, Column, DateTime, Integer, MetaData, Table, Text
from sqlalchemy.dialects.postgresql import JSONB

metadata = MetaData()
_TS = DateTime(timezone=True)

ticket_snapshots = Table(
    "ticket_snapshots",
    metadata,
    Column("ticket_id", Text, primary_key=True),
    Column("client_id", Text, nullable=False),
    Column("title", Text, nullable=False),
    Column("description", Text, nullable=False),
    Column("priority", Text, nullable=False),
    Column("device", Text),
    Column("reference", Text),
    Column("requester", Text),
    Column("error_codes", JSONB, nullable=False),
    Column("labels", JSONB, nullable=False),
    # None until TicketOpened arrives (TicketRouted, on another topic, may come first).
    Column("opened_at", _TS),
    Column("tier", Text),
    Column("tier_since", _TS),
    # Seconds each tier held the ticket before its current stint: {"L2": 1800.0}.
    Column("tier_held", JSONB, nullable=False),
    Column("assignee", Text),
    Column("resolved", Boolean, nullable=False),
)

vendor_cases = Table(
    "vendor_cases",
    metadata,
    Column("ticket_id", Text, primary_key=True),
    Column("vendor", Text, primary_key=True),
    Column("client_id", Text, nullable=False),
    Column("status", Text, nullable=False),
    Column("reason", Text, nullable=False),
    Column("requested_by", Text, nullable=False),
    Column("requested_at", _TS, nullable=False),
    # Stable across retries and restarts: the Message-ID, Idempotency-Key and external id.
    Column("case_key", Text, nullable=False, unique=True),
    Column("channel", Text),
    Column("case_reference", Text),
    Column("vendor_status", Text),
    Column("supplied", JSONB, nullable=False),
    Column("missing", JSONB, nullable=False),
    Column("blockers", JSONB, nullable=False),
    Column("eligible_at", _TS),
    Column("attempts", Integer, nullable=False),
    Column("next_attempt_at", _TS),
    Column("lease_until", _TS),
    # An attempt whose outcome is unknown (no answer): look the case up before sending again.
    Column("unsure", Boolean, nullable=False),
    Column("last_error", Text),
    Column("opened_at", _TS),
    Column("acknowledged_at", _TS),
    Column("resolved_at", _TS),
    # The case as prepared for sending (domain.case_message.case_context).
    Column("content", JSONB),
    # When it became ready to send, for the gateway's own share of the opening time.
    Column("ready_at", _TS),
    Column("updated_at", _TS, nullable=False),
    # Tracking an open case: the last status request to the vendor's API and its failure, and
    # how many levels of the vendor's escalation ladder it has been chased up.
    Column("polled_at", _TS),
    Column("poll_error", Text),
    Column("chased_levels", Integer, nullable=False, server_default="0"),
)
