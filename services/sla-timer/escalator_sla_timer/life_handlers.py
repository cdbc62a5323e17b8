"""A ticket's life moves its clocks: responses fulfil, holds pause, resolve ends, reopen resets.

Times are the events' own (when the technician acknowledged, when the status changed), so a
consumer running behind still measures what happened.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from escalator_shared.bus.dispatcher import HandlerContext, HandlerRegistry
from escalator_shared.events import (
    TicketAcknowledged,
    TicketNoteAdded,
    TicketReopened,
    TicketResolved,
    TicketStatusChanged,
)
from escalator_sla_timer import ticket_facts
from escalator_sla_timer.clock_keeper import ClockKeeper
from escalator_sla_timer.clock_rows import StoredClock
from escalator_sla_timer.domain.clock import ClockState
from escalator_sla_timer.domain.plans import (
    RESOLUTION,
    RESPONSE,
    UPDATE,
    VENDOR_METRICS,
    Planner,
)
from escalator_sla_timer.ticket_facts import KnownTicket

FULFILLED = ClockState.FULFILLED
ENDED_STATUSES = frozenset({"closed", "cancelled"})
WORKING_STATUSES = frozenset({"new", "in_progress"})
CUSTOMER = "customer"


@dataclass(frozen=True)
class LifeHandlers:
    """Handlers of the ticket's life on the `tickets` topic."""

    planner: Planner
    keeper: ClockKeeper

    async def on_acknowledged(self, event: TicketAcknowledged, ctx: HandlerContext) -> None:
        """An acknowledgement is the first response."""
        clocks = await self.keeper.load(ctx.uow.session, ctx.envelope.ticket_id)
        await self._responded(ctx, clocks, event.acknowledged_at)

    async def on_note_added(self, note: TicketNoteAdded, ctx: HandlerContext) -> None:
        """A customer-visible note from staff is a response and a periodic update."""
        if not note.customer_visible or note.by == CUSTOMER:
            return
        at = ctx.envelope.occurred_at
        clocks = await self.keeper.load(ctx.uow.session, ctx.envelope.ticket_id)
        await self._responded(ctx, clocks, at)
        for stored in clocks:
            if stored.metric == UPDATE:
                await self.keeper.stop(ctx.uow, ctx.emit, stored, FULFILLED, at)
                await self._start_update(ctx, at, stored.cycle + 1)

    async def on_resolved(self, event: TicketResolved, ctx: HandlerContext) -> None:
        """Resolving fulfils the ticket's SLA and OLA clocks (a vendor's run on)."""
        at = event.resolved_at
        await ticket_facts.set_values(ctx.uow.session, ctx.envelope.ticket_id, status="resolved")
        for stored in await self.keeper.load(ctx.uow.session, ctx.envelope.ticket_id):
            if stored.metric not in VENDOR_METRICS:
                await self.keeper.stop(ctx.uow, ctx.emit, stored, FULFILLED, at)

    async def on_reopened(self, event: TicketReopened, ctx: HandlerContext) -> None:
        """Reopen: the resolution clock starts afresh or resumes (the policy says)."""
        at = event.reopened_at
        session = ctx.uow.session
        await ticket_facts.set_values(session, ctx.envelope.ticket_id, status="in_progress")
        ticket = await ticket_facts.load(session, ctx.envelope.ticket_id)
        if ticket is None:
            return
        every = await self.keeper.load(session, ctx.envelope.ticket_id, live_only=False)
        resolutions = [c for c in every if c.metric == RESOLUTION]
        policy = self.planner.policy_for(ticket.facts)
        if resolutions and policy.on_reopen == "resume":
            last = resolutions[-1]
            if last.clock.state is FULFILLED:
                await self.keeper.resume(ctx.uow, ctx.emit, last, at, kind="reopened")
        else:
            await self._start(ctx, ticket, RESOLUTION, at, len(resolutions))
        if any(c.metric == RESPONSE and c.clock.state is FULFILLED for c in every):
            updates = [c for c in every if c.metric == UPDATE]
            await self._start(ctx, ticket, UPDATE, at, len(updates))

    async def on_status_changed(self, event: TicketStatusChanged, ctx: HandlerContext) -> None:
        """Holds the policy names pause SLA and OLA clocks; back to work resumes them;
        closing or cancelling the ticket cancels every clock still counting."""
        at = event.changed_at
        session = ctx.uow.session
        await ticket_facts.set_values(session, ctx.envelope.ticket_id, status=event.status)
        clocks = await self.keeper.load(session, ctx.envelope.ticket_id)
        if event.status in ENDED_STATUSES:
            for stored in clocks:
                await self.keeper.stop(ctx.uow, ctx.emit, stored, ClockState.CANCELLED, at)
            return
        for stored in clocks:
            if stored.metric in VENDOR_METRICS:
                continue
            if event.status == "on_hold" and self._pauses(stored, event.hold_reason):
                reason = event.hold_reason or "on_hold"
                await self.keeper.pause(ctx.uow, ctx.emit, stored, reason, at)
            elif event.status in WORKING_STATUSES and stored.clock.state is ClockState.PAUSED:
                await self.keeper.resume(ctx.uow, ctx.emit, stored, at)

    def _pauses(self, stored: StoredClock, hold_reason: str | None) -> bool:
        if stored.clock.state is not ClockState.RUNNING:
            return False
        policy = self.planner.policy(stored.policy)
        pause_when = policy.pause_when if policy else ["awaiting_customer", "awaiting_vendor"]
        return "on_hold" in pause_when or (hold_reason is not None and hold_reason in pause_when)

    async def _responded(
        self, ctx: HandlerContext, clocks: list[StoredClock], at: datetime
    ) -> None:
        """Fulfil a live response clock and start the periodic updates."""
        for stored in clocks:
            if stored.metric == RESPONSE:
                await self.keeper.stop(ctx.uow, ctx.emit, stored, FULFILLED, at)
                await self._start_update(ctx, at, 0)

    async def _start_update(self, ctx: HandlerContext, at: datetime, cycle: int) -> None:
        ticket = await ticket_facts.load(ctx.uow.session, ctx.envelope.ticket_id)
        if ticket is not None and ticket.status not in ENDED_STATUSES | {"resolved"}:
            await self._start(ctx, ticket, UPDATE, at, cycle)

    async def _start(
        self, ctx: HandlerContext, ticket: KnownTicket, metric: str, at: datetime, cycle: int
    ) -> None:
        plan = self.planner.plan(ticket.facts, metric, at)
        if plan is None:
            return
        await self.keeper.start(ctx.uow, ctx.emit, [self.keeper.new(plan, ticket, at, cycle=cycle)])

    def registry(self) -> HandlerRegistry:
        """Event type to handlers."""
        return {
            TicketAcknowledged: [self.on_acknowledged],
            TicketNoteAdded: [self.on_note_added],
            TicketResolved: [self.on_resolved],
            TicketReopened: [self.on_reopened],
            TicketStatusChanged: [self.on_status_changed],
        }
