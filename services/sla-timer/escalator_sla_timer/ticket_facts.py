"""What the SLA timer knows of a ticket, merged from the tickets and routing streams."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select, text, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from escalator_shared.events import Priority
from escalator_sla_timer.domain.plans import TicketFacts
from escalator_sla_timer.tables import sla_tickets

# What TicketOpened brings; a routed-first row keeps its routing columns. One prepared
# statement whatever the number of tickets: each column travels as one array.
_OPENED_COLUMNS = (
    "ticket_id",
    "client_id",
    "source",
    "ticket_type",
    "priority",
    "opened_at",
    "status",
    "correlation_id",
    "drill",
)
_RECORD_OPENED = text(
    """
    INSERT INTO sla_tickets (ticket_id, client_id, source, ticket_type, priority, opened_at,
                             status, correlation_id, drill)
    SELECT * FROM unnest(CAST(:ticket_id AS text[]), CAST(:client_id AS text[]),
                         CAST(:source AS text[]), CAST(:ticket_type AS text[]),
                         CAST(:priority AS text[]), CAST(:opened_at AS timestamptz[]),
                         CAST(:status AS text[]), CAST(:correlation_id AS text[]),
                         CAST(:drill AS boolean[]))
    ON CONFLICT (ticket_id) DO UPDATE
       SET client_id = excluded.client_id, source = excluded.source,
           ticket_type = excluded.ticket_type, priority = excluded.priority,
           opened_at = excluded.opened_at, status = excluded.status,
           correlation_id = excluded.correlation_id, drill = excluded.drill
    RETURNING *
    """
)


@dataclass(frozen=True)
class KnownTicket:
    """A ticket the timer has seen open, with its routing if that arrived."""

    ticket_id: str
    facts: TicketFacts
    tier: str | None
    status: str | None
    correlation_id: str
    drill: bool


def _known(row: Any) -> KnownTicket | None:
    if row is None or row.client_id is None:
        return None  # routed, but its TicketOpened has not arrived yet
    priority = Priority(row.routed_priority or row.priority)
    return KnownTicket(
        ticket_id=row.ticket_id,
        facts=TicketFacts(row.client_id, priority, row.ticket_type, row.source),
        tier=row.tier,
        status=row.status,
        correlation_id=row.correlation_id,
        drill=row.drill,
    )


async def load(session: AsyncSession, ticket_id: str) -> KnownTicket | None:
    """The ticket, locked; None if its TicketOpened has not been handled."""
    row = (
        await session.execute(
            select(sla_tickets).where(sla_tickets.c.ticket_id == ticket_id).with_for_update()
        )
    ).first()
    return _known(row)


async def lock(session: AsyncSession, ticket_id: str) -> KnownTicket | None:
    """Like `load`, but first make the row exist, so that a TicketOpened handled concurrently
    waits for this transaction (and this one for it) instead of both missing each other."""
    await session.execute(insert(sla_tickets).values(ticket_id=ticket_id).on_conflict_do_nothing())
    return await load(session, ticket_id)


async def record_opened(session: AsyncSession, rows: list[dict[str, Any]]) -> dict[str, Any]:
    """Store opened tickets' facts in one statement; each ticket's row (with any routing).
    A ticket appears once in `rows`."""
    columns = {name: [row[name] for row in rows] for name in _OPENED_COLUMNS}
    result = await session.execute(_RECORD_OPENED, columns)
    return {row.ticket_id: row for row in result}


def known(row: Any) -> KnownTicket:
    """A freshly recorded opened ticket."""
    ticket = _known(row)
    assert ticket is not None
    return ticket


async def record_routed(
    session: AsyncSession, ticket_id: str, priority: Priority, tier: str, rule: str
) -> tuple[KnownTicket | None, KnownTicket | None]:
    """Store the routing; the ticket before and after (None while not yet opened).

    The row is made to exist and locked first: a TicketOpened recorded concurrently is then
    either seen here (before) or sees this routing (its insert waits for this transaction),
    never neither, which would start no OLA clock at all.
    """
    before = await lock(session, ticket_id)
    values = {"routed_priority": priority.value, "tier": tier, "routed_rule": rule}
    result = await session.execute(
        insert(sla_tickets)
        .values(ticket_id=ticket_id, **values)
        .on_conflict_do_update(index_elements=[sla_tickets.c.ticket_id], set_=values)
        .returning(sla_tickets)
    )
    return before, _known(result.first())


async def set_values(session: AsyncSession, ticket_id: str, **values: Any) -> None:
    """Change stored facts (status, priority)."""
    await session.execute(
        update(sla_tickets).where(sla_tickets.c.ticket_id == ticket_id).values(**values)
    )
