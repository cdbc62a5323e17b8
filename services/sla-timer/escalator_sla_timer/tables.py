"""SLA timer's tables: the clocks (their `fire_at` is the durable timer), their log, tickets."""

from __future__ import annotations

from sqlalchemy import (
    ARRAY,
    BigInteger,
    Boolean,
    Column,
    DateTime,
    Integer,
    Interval,
    MetaData,
    Table,
    Text,
    false,
)
from sqlalchemy.dialects.postgresql import JSONB

metadata = MetaData()
_TS = DateTime(timezone=True)

clocks = Table(
    "clocks",
    metadata,
    Column("id", Text, primary_key=True),
    Column("ticket_id", Text, nullable=False),
    Column("client_id", Text, nullable=False),
    Column("metric", Text, nullable=False),
    # A reset (reopen, a new periodic update) starts the next cycle of the metric.
    Column("cycle", Integer, nullable=False, server_default="0"),
    Column("policy", Text, nullable=False),
    Column("calendar", Text, nullable=False),
    Column("priority", Text, nullable=False),
    Column("target", Interval, nullable=False),
    Column("elapsed", Interval, nullable=False),
    Column("state", Text, nullable=False),
    Column("started_at", _TS, nullable=False),
    Column("running_since", _TS),
    Column("due_at", _TS, nullable=False),
    Column("stopped_at", _TS),
    Column("breached_at", _TS),
    Column("warned", Integer, nullable=False, server_default="0"),
    Column("reminders", Integer, nullable=False, server_default="0"),
    Column("warn_at", ARRAY(Integer), nullable=False),
    Column("remind_every", Interval),
    Column("remind_limit", Integer, nullable=False, server_default="0"),
    # The timer: the next warning, breach or reminder; NULL when paused or stopped.
    Column("fire_at", _TS),
    # Hash of the ticket id: an instance fires the clocks whose shard % partitions it owns.
    Column("shard", BigInteger, nullable=False),
    Column("vendor", Text),
    Column("case_reference", Text),
    Column("correlation_id", Text, nullable=False),
    # Drill tickets' clocks run (the rehearsal includes breaches) but SLA reports leave them out.
    Column("drill", Boolean, nullable=False, server_default=false()),
)

# Every change of every clock: started, paused, resumed, warned, breached, reminded,
# recalculated, fulfilled, cancelled, reopened (the auditable log).
clock_log = Table(
    "clock_log",
    metadata,
    Column("id", BigInteger, primary_key=True, autoincrement=True),
    Column("clock_id", Text, nullable=False),
    Column("ticket_id", Text, nullable=False),
    Column("kind", Text, nullable=False),
    Column("at", _TS, nullable=False),
    Column("detail", JSONB, nullable=False),
)

# What the SLA timer knows of each ticket. The tickets and routing streams arrive in either
# order, so a row may hold the routed priority and tier before the ticket's own facts.
sla_tickets = Table(
    "sla_tickets",
    metadata,
    Column("ticket_id", Text, primary_key=True),
    Column("client_id", Text),
    Column("source", Text),
    Column("ticket_type", Text),
    Column("priority", Text),
    Column("opened_at", _TS),
    Column("tier", Text),
    Column("routed_priority", Text),
    Column("routed_rule", Text),
    Column("status", Text),
    Column("correlation_id", Text),
    Column("drill", Boolean, nullable=False, server_default=false()),
)

# A vendor case read before its ticket's TicketOpened (the vendor and tickets topics are not
# ordered together): its clocks start when the ticket opens, from the case's own times.
waiting_vendor_cases = Table(
    "waiting_vendor_cases",
    metadata,
    Column("ticket_id", Text, primary_key=True),
    Column("case_reference", Text, primary_key=True),
    Column("vendor", Text, nullable=False),
    Column("opened_at", _TS, nullable=False),
    Column("acknowledged_at", _TS),
    Column("resolved_at", _TS),
)

# The reporting read model: a ticket's facts (reporting/ticket_record.py) as JSON, with the
# columns a report's period is chosen by. `resolved_at` is the last resolve, NULL while open.
report_tickets = Table(
    "report_tickets",
    metadata,
    Column("ticket_id", Text, primary_key=True),
    Column("client_id", Text, nullable=False),
    Column("opened_at", _TS),
    Column("resolved_at", _TS),
    Column("drill", Boolean, nullable=False, server_default=false()),
    Column("record", JSONB, nullable=False),
)
