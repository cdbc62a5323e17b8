"""A ticket opens: its response and resolution clocks start (and its tier's OLA, if routed).

Runs of TicketOpened are handled together (`Batched`): one statement records the tickets,
one inserts every clock, and the log and events are written at commit.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import datetime

from escalator_shared.bus.dispatcher import Batched, HandlerContext
from escalator_shared.db.unit_of_work import UnitOfWork
from escalator_shared.errors import PermanentError
from escalator_shared.events import TicketOpened
from escalator_sla_timer import ticket_facts, vendor_cases
from escalator_sla_timer.clock_keeper import ClockKeeper
from escalator_sla_timer.clock_rows import StoredClock
from escalator_sla_timer.domain.plans import (
    OLA_PREFIX,
    RESOLUTION,
    RESPONSE,
    NoPolicyError,
    Planner,
)
from escalator_sla_timer.ticket_facts import KnownTicket
from escalator_sla_timer.vendor_cases import VendorClocks


@dataclass(frozen=True)
class OpeningHandlers:
    """Starts the clocks of new tickets."""

    planner: Planner
    keeper: ClockKeeper
    vendor_clocks: VendorClocks

    async def on_opened(self, run: list[tuple[TicketOpened, HandlerContext]]) -> None:
        """Record the tickets, start their clocks, say so."""
        if not run:
            return
        uow = run[0][1].uow
        tickets = _first_per_ticket(run)
        rows = await ticket_facts.record_opened(
            uow.session,
            [
                {
                    "ticket_id": ctx.envelope.ticket_id,
                    "client_id": ctx.envelope.client_id,
                    "source": opened.source,
                    "ticket_type": opened.ticket_type,
                    "priority": opened.priority.value,
                    "opened_at": opened.opened_at,
                    "status": "new",
                    "correlation_id": ctx.envelope.correlation_id,
                    "drill": opened.drill,
                }
                for opened, ctx in tickets
            ],
        )
        known = [(ticket_facts.known(rows[ctx.envelope.ticket_id]), ctx) for _, ctx in tickets]
        started: list[tuple[StoredClock, HandlerContext]] = []
        for (opened, _), (ticket, ctx) in zip(tickets, known, strict=True):
            for stored in self._clocks_for(ticket, opened):
                started.append((stored, ctx))
        await self.keeper.insert(uow, [stored for stored, _ in started])
        for stored, ctx in started:
            await ctx.emit(self.keeper.started_event(stored))
        await self._start_waiting_vendor_cases(uow, known)

    async def _start_waiting_vendor_cases(
        self, uow: UnitOfWork, known: list[tuple[KnownTicket, HandlerContext]]
    ) -> None:
        """Cases read before their ticket opened get their clocks now."""
        waiting = await vendor_cases.take(uow.session, [ticket.ticket_id for ticket, _ in known])
        for ticket, ctx in known:
            cycles: Counter[str] = Counter()
            for case in waiting.get(ticket.ticket_id, []):
                await self.vendor_clocks.start(uow, ctx.emit, ticket, case, cycles)

    def _clocks_for(self, ticket: KnownTicket, opened: TicketOpened) -> list[StoredClock]:
        try:
            policy = self.planner.policy_for(ticket.facts)
        except NoPolicyError as exc:
            raise PermanentError(str(exc)) from exc
        at = _start(opened, reported=policy.start == "reported")
        metrics = [RESPONSE, RESOLUTION]
        if ticket.tier is not None:
            metrics.append(f"{OLA_PREFIX}{ticket.tier}")
        clocks = []
        for metric in metrics:
            plan = self.planner.plan(ticket.facts, metric, at)
            if plan is not None:
                clocks.append(
                    self.keeper.new(
                        plan,
                        ticket,
                        at,
                    )
                )
        return clocks

    def handler(self) -> Batched:
        """The batched TicketOpened handler."""
        return Batched(self.on_opened)


def _start(opened: TicketOpened, *, reported: bool) -> datetime:
    if reported and opened.reported_at is not None and opened.reported_at < opened.opened_at:
        return opened.reported_at
    return opened.opened_at


def _first_per_ticket(
    run: list[tuple[TicketOpened, HandlerContext]],
) -> list[tuple[TicketOpened, HandlerContext]]:
    """One TicketOpened per ticket (a ticket opens once; a repeat would start clocks twice)."""
    seen: dict[str, tuple[TicketOpened, HandlerContext]] = {}
    for opened, ctx in run:
        seen.setdefault(ctx.envelope.ticket_id, (opened, ctx))
    return list(seen.values())
