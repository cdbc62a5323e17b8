"""What became of the stream's accepted alerts, read from the services' own tables.

Each query counts something a person would see: tickets, the ticket's timeline (routing, each
escalation step, each SLA clock) and the messages the notifier recorded for people.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import asyncpg

# The ticket's timeline rows a person reads, and what makes two of them the same entry.
TIMELINE_IDENTITY = {
    "TicketOpened": "''",
    "TicketRouted": "''",
    "SlaClockStarted": "data->>'metric'",
    "EscalationStepReached": "(data->>'step') || '/' || (data->>'round')",
}


@dataclass
class Outcome:
    """Per accepted dedup key, how far its ticket got; and every duplicate found, by kind."""

    tickets: dict[str, list[str]] = field(default_factory=dict)  # dedup key -> ticket ids
    routed: set[str] = field(default_factory=set)  # ticket ids
    clocked: set[str] = field(default_factory=set)
    paged: set[str] = field(default_factory=set)
    duplicates: dict[str, list[str]] = field(default_factory=dict)

    def missing(self, keys: set[str]) -> dict[str, set[str]]:
        """The accepted keys that are not (yet) a ticket, routed, with clocks."""
        opened = {k for k in keys if self.tickets.get(k)}
        ids = {k: self.tickets[k][0] for k in opened}
        return {
            "no ticket": keys - opened,
            "not routed": {k for k in opened if ids[k] not in self.routed},
            "no SLA clocks": {k for k in opened if ids[k] not in self.clocked},
        }

    def complete(self, keys: set[str]) -> bool:
        """Whether every key is a ticket, routed, with its clocks."""
        return not any(self.missing(keys).values())


async def read_outcome(dsn: str, integration: str, dedup_keys: set[str]) -> Outcome:
    """Query intake, sla-timer and notifier tables for the run's tickets."""
    connection = await asyncpg.connect(dsn)
    try:
        return await _read(connection, integration, sorted(dedup_keys))
    finally:
        await connection.close()


async def _read(connection: asyncpg.Connection, integration: str, keys: list[str]) -> Outcome:
    outcome = Outcome()
    rows = await connection.fetch(
        "SELECT id, dedup_key FROM intake.tickets WHERE integration = $1 AND dedup_key = ANY($2)"
        " ORDER BY opened_at",
        integration,
        keys,
    )
    for row in rows:
        outcome.tickets.setdefault(row["dedup_key"], []).append(row["id"])
    ids = [r["id"] for r in rows]
    rows = await connection.fetch(
        "SELECT DISTINCT ticket_id, event_type FROM intake.timeline"
        " WHERE ticket_id = ANY($1) AND event_type IN ('TicketRouted', 'SlaClockStarted')",
        ids,
    )
    outcome.routed = {r["ticket_id"] for r in rows if r["event_type"] == "TicketRouted"}
    outcome.clocked = {r["ticket_id"] for r in rows if r["event_type"] == "SlaClockStarted"}
    rows = await connection.fetch(
        "SELECT DISTINCT ticket_id FROM notifier.deliveries WHERE ticket_id = ANY($1)", ids
    )
    outcome.paged = {r["ticket_id"] for r in rows}
    outcome.duplicates = await _duplicates(connection, ids)
    outcome.duplicates["tickets"] = [
        f"{key} x{len(found)}" for key, found in outcome.tickets.items() if len(found) > 1
    ]
    return outcome


async def _duplicates(connection: asyncpg.Connection, ids: list[str]) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for event_type, identity in TIMELINE_IDENTITY.items():
        rows = await connection.fetch(
            f"SELECT ticket_id, {identity} AS what, count(*) AS n FROM intake.timeline"  # noqa: S608 - constants
            " WHERE ticket_id = ANY($1) AND event_type = $2"
            " GROUP BY ticket_id, what HAVING count(*) > 1",
            ids,
            event_type,
        )
        found[event_type] = [f"{r['ticket_id']} {r['what']} x{r['n']}" for r in rows]
    # sla_timer.clocks holds one row per (ticket, metric, cycle) by a unique constraint; a clock
    # started twice would show as a second SlaClockStarted on the timeline, counted above.
    rows = await connection.fetch(
        "SELECT ticket_id, recipient, channel, kind, repeat, subject, count(*) AS n"
        " FROM notifier.deliveries WHERE ticket_id = ANY($1) AND kind NOT IN ('bundle', 'digest')"
        " GROUP BY ticket_id, recipient, channel, kind, repeat, subject HAVING count(*) > 1",
        ids,
    )
    found["pages"] = [
        f"{r['ticket_id']} {r['recipient']} {r['channel']} {r['kind']} #{r['repeat']} x{r['n']}"
        for r in rows
    ]
    return found
