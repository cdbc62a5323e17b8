"""Router's tables: the routing decision of each ticket."""

from __future__ import annotations

from sqlalchemy import Column, DateTime, MetaData, Table, Text

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
)
