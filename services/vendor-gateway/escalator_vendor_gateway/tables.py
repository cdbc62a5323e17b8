"""Vendor gateway's tables: one case per ticket and vendor."""

from __future__ import annotations

from sqlalchemy import Column, DateTime, MetaData, Table, Text

metadata = MetaData()

vendor_cases = Table(
    "vendor_cases",
    metadata,
    Column("ticket_id", Text, primary_key=True),
    Column("vendor", Text, primary_key=True),
    Column("client_id", Text, nullable=False),
    Column("status", Text, nullable=False),
    Column("reason", Text, nullable=False),
    Column("requested_by", Text, nullable=False),
    Column("requested_at", DateTime(timezone=True), nullable=False),
)
