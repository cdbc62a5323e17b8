"""Keeps the reporting read model: every event reports need, folded into its ticket's record.

The four topics a record draws on (tickets, routing, sla, vendor) are consumed together by one
group; a batch's events are folded per ticket in one read and one write of each record. The
records are locked in ticket order, so instances owning different topics' partitions of one
ticket take turns instead of overwriting each other.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import bindparam, select, update
from sqlalchemy.dialects.postgresql import insert

from escalator_shared.bus.dispatcher import Batched, HandlerContext, HandlerRegistry
from escalator_sla_timer.reporting.event_folds import FOLDS, fold
from escalator_sla_timer.reporting.ticket_record import TicketRecord
from escalator_sla_timer.tables import report_tickets


@dataclass(frozen=True)
class ReportHandlers:
    """Handlers of every event a ticket's report record folds."""

    async def on_events(self, run: list[tuple[Any, HandlerContext]]) -> None:
        """Fold a run of events into their tickets' records."""
        session = run[0][1].uow.session
        clients = {ctx.envelope.ticket_id: ctx.envelope.client_id for _, ctx in reversed(run)}
        blank = [
            {"ticket_id": t, "client_id": c, "record": TicketRecord(t, c).as_json()}
            for t, c in sorted(clients.items())
        ]
        await session.execute(insert(report_tickets).values(blank).on_conflict_do_nothing())
        locked = (
            select(report_tickets.c.ticket_id, report_tickets.c.record)
            .where(report_tickets.c.ticket_id.in_(sorted(clients)))
            .order_by(report_tickets.c.ticket_id)
            .with_for_update()
        )
        records = {
            row.ticket_id: TicketRecord.from_json(row.record)
            for row in (await session.execute(locked)).all()
        }
        for event, ctx in run:
            ticket_id = ctx.envelope.ticket_id
            records[ticket_id] = fold(records[ticket_id], event, ctx.envelope)
        rows = [
            {
                "b_ticket_id": r.ticket_id,
                "opened_at": r.opened_at,
                "resolved_at": r.resolved_at,
                "drill": r.drill,
                "record": r.as_json(),
            }
            for r in records.values()
        ]
        stored = update(report_tickets).where(
            report_tickets.c.ticket_id == bindparam("b_ticket_id")
        )
        await session.execute(stored, rows)

    def registry(self) -> HandlerRegistry:
        """Every folded event type to one batched handler (a batch folds as one run)."""
        handler = Batched(self.on_events)
        return {event_type: [handler] for event_type in FOLDS}
