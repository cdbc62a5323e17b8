"""What the notifier remembers of tickets: facts, assignment, SLA clocks; and the view of one."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from escalator_notifier.domain.notice_context import STOPPED, Clock, TicketView
from escalator_notifier.tables import assignments, ticket_clocks, tickets
from escalator_shared.config import EscalatorConfig


async def upsert(
    session: AsyncSession, table: Any, keys: dict[str, Any], values: dict[str, Any]
) -> None:
    """Insert the row, or update it when the keys exist."""
    await session.execute(
        insert(table)
        .values(**keys, **values)
        .on_conflict_do_update(index_elements=list(keys), set_=values)
    )


async def set_ticket(session: AsyncSession, ticket_id: str, **values: Any) -> None:
    """Change remembered facts of a ticket (nothing when intake's opening has not arrived)."""
    await session.execute(update(tickets).where(tickets.c.ticket_id == ticket_id).values(**values))


async def set_clock(
    session: AsyncSession,
    ticket_id: str,
    metric: str,
    state: str,
    *,
    due_at: datetime | None = None,
    remaining_seconds: int | None = None,
) -> None:
    """Remember a clock's state as the SLA timer last reported it."""
    await upsert(
        session,
        ticket_clocks,
        {"ticket_id": ticket_id, "metric": metric},
        {"state": state, "due_at": due_at, "remaining_seconds": remaining_seconds},
    )


async def load_view(
    session: AsyncSession, config: EscalatorConfig, ticket_id: str, client_id: str
) -> TicketView | None:
    """The ticket as the notifier knows it from intake's opening and the router's assignment;
    None before either has arrived."""
    routed = (
        await session.execute(select(assignments).where(assignments.c.ticket_id == ticket_id))
    ).first()
    opened = (
        await session.execute(select(tickets).where(tickets.c.ticket_id == ticket_id))
    ).first()
    if routed is None and opened is None:
        return None
    clocks = [
        Clock(row.metric, row.state, row.due_at, row.remaining_seconds)
        for row in await session.execute(
            select(ticket_clocks)
            .where(ticket_clocks.c.ticket_id == ticket_id, ticket_clocks.c.state != STOPPED)
            .order_by(ticket_clocks.c.due_at)
        )
    ]
    client = next((c for c in config.clients if c.id == client_id), None)
    names = {p.id: p.name for p in config.people}
    facts: Any = routed or opened
    assignee = routed.assignee if routed else None
    return TicketView(
        ticket_id=ticket_id,
        client_id=client_id,
        client_name=client.name if client else client_id,
        title=facts.title,
        priority=facts.priority,
        reference=opened.reference if opened else None,
        tier=routed.tier if routed else None,
        team=routed.team if routed else None,
        assignee=assignee,
        assignee_name=names.get(assignee, assignee) if assignee else None,
        backup=routed.backup if routed else None,
        requester=opened.requester if opened else None,
        requester_message_id=opened.requester_message_id if opened else None,
        clocks=clocks,
    )
