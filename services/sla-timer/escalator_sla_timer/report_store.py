"""Reads the reporting read model: the records a period's KPIs draw on."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from escalator_sla_timer.reporting.ticket_record import TicketRecord
from escalator_sla_timer.tables import report_tickets


async def records_between(
    session: AsyncSession, start: datetime, end: datetime, clients: list[str] | None
) -> list[TicketRecord]:
    """Records of tickets (not drills) opened before `end` and not finally resolved before
    `start`: every ticket a KPI of [start, end) can count. `clients` None: every client."""
    query = select(report_tickets.c.record).where(
        report_tickets.c.opened_at < end,
        or_(report_tickets.c.resolved_at.is_(None), report_tickets.c.resolved_at >= start),
        report_tickets.c.drill.is_(False),
    )
    if clients is not None:
        query = query.where(report_tickets.c.client_id.in_(clients))
    rows = (await session.execute(query)).scalars().all()
    return [TicketRecord.from_json(record) for record in rows]
