"""Priority and tier changes recalculate clocks; a new tier hands its OLA clock on.

A ticket reaches another tier by routing (TicketRouted) or by an escalation step that pages a
tier or one of its teams (EscalationStepReached): the previous tier's OLA is met by handing on.

Routing may set another priority than the ticket opened with, and a technician may change it;
running clocks then get the new priority's targets, keeping the business time already used
(or counting afresh: the policy's `on_priority_change`). A clock keeps its calendar.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

from escalator_shared.bus.dispatcher import HandlerContext, HandlerRegistry
from escalator_shared.events import EscalationStepReached, TicketPriorityChanged, TicketRouted
from escalator_sla_timer import ticket_facts
from escalator_sla_timer.clock_keeper import ClockKeeper
from escalator_sla_timer.domain.clock import ClockState
from escalator_sla_timer.domain.plans import OLA_PREFIX, VENDOR_METRICS, Planner, is_ola
from escalator_sla_timer.ticket_facts import KnownTicket


@dataclass(frozen=True)
class RecalculationHandlers:
    """TicketRouted and EscalationStepReached (routing topic), TicketPriorityChanged (tickets)."""

    planner: Planner
    keeper: ClockKeeper

    async def on_routed(self, routed: TicketRouted, ctx: HandlerContext) -> None:
        """Store the routing; recalculate for its priority; start the new tier's OLA clock."""
        at = ctx.envelope.occurred_at
        before, after = await ticket_facts.record_routed(
            ctx.uow.session, ctx.envelope.ticket_id, routed.priority, routed.tier, routed.rule
        )
        if before is None or after is None:
            return  # not opened yet: the opening handler reads the routing
        if before.facts.priority != after.facts.priority:
            reason = f"routed at {routed.priority} by rule {routed.rule}"
            await self._recalculate(ctx, after, at, reason)
        if before.tier != after.tier:
            await self._hand_on(ctx, after, at)

    async def on_escalated(self, step: EscalationStepReached, ctx: HandlerContext) -> None:
        """A step that pages another tier hands the ticket to it: the OLA clock follows."""
        tier = self.planner.tier_reached(step.via)
        if tier is None:
            return  # the assignee, a manager or a person: the ticket stays where it is
        session = ctx.uow.session
        ticket = await ticket_facts.load(session, ctx.envelope.ticket_id)
        if ticket is None or ticket.tier in (None, tier):
            return
        await ticket_facts.set_values(session, ticket.ticket_id, tier=tier)
        await self._hand_on(ctx, replace(ticket, tier=tier), ctx.envelope.occurred_at)

    async def on_priority_changed(self, event: TicketPriorityChanged, ctx: HandlerContext) -> None:
        """A person set the impact and urgency: the new priority's targets apply."""
        session = ctx.uow.session
        await ticket_facts.set_values(
            session, ctx.envelope.ticket_id, priority=event.priority.value, routed_priority=None
        )
        ticket = await ticket_facts.load(session, ctx.envelope.ticket_id)
        if ticket is not None:
            reason = f"priority set to {event.priority} by {event.by}"
            await self._recalculate(ctx, ticket, ctx.envelope.occurred_at, reason)

    async def _recalculate(
        self, ctx: HandlerContext, ticket: KnownTicket, at: datetime, reason: str
    ) -> None:
        for stored in await self.keeper.load(ctx.uow.session, ticket.ticket_id):
            if stored.metric in VENDOR_METRICS:
                continue
            calendar = self.keeper.calendars.get(stored.calendar)
            clock = self.planner.retargeted(ticket.facts, stored.metric, stored.clock, calendar, at)
            if clock is None:
                continue
            await self.keeper.retarget(
                ctx.uow,
                ctx.emit,
                stored,
                clock,
                priority=ticket.facts.priority,
                at=at,
                reason=reason,
            )

    async def _hand_on(self, ctx: HandlerContext, ticket: KnownTicket, at: datetime) -> None:
        """The previous tier's OLA is met by handing on; the new tier's starts."""
        clocks = await self.keeper.load(ctx.uow.session, ticket.ticket_id)
        for stored in clocks:
            if is_ola(stored.metric):
                await self.keeper.stop(ctx.uow, ctx.emit, stored, ClockState.FULFILLED, at)
        metric = f"{OLA_PREFIX}{ticket.tier}"
        plan = self.planner.plan(ticket.facts, metric, at)
        if plan is None or ticket.status in ("resolved", "closed", "cancelled"):
            return
        every = await self.keeper.load(ctx.uow.session, ticket.ticket_id, live_only=False)
        cycle = sum(1 for c in every if c.metric == metric)
        await self.keeper.start(ctx.uow, ctx.emit, [self.keeper.new(plan, ticket, at, cycle=cycle)])

    def routing_registry(self) -> HandlerRegistry:
        """Handlers of the `routing` topic."""
        return {TicketRouted: [self.on_routed], EscalationStepReached: [self.on_escalated]}

    def tickets_registry(self) -> HandlerRegistry:
        """Handlers of the `tickets` topic."""
        return {TicketPriorityChanged: [self.on_priority_changed]}
