"""Vendor cases run on the vendor's own commitment: acknowledgement and resolution clocks."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from escalator_shared.bus.dispatcher import HandlerContext, HandlerRegistry
from escalator_shared.events import VendorCaseAcknowledged, VendorCaseOpened, VendorCaseResolved
from escalator_sla_timer import ticket_facts
from escalator_sla_timer.clock_keeper import ClockKeeper
from escalator_sla_timer.domain.clock import ClockState
from escalator_sla_timer.domain.plans import VENDOR_ACKNOWLEDGEMENT, VENDOR_METRICS, Planner


@dataclass(frozen=True)
class VendorHandlers:
    """Handlers of the `vendor` topic."""

    planner: Planner
    keeper: ClockKeeper

    async def on_case_opened(self, opened: VendorCaseOpened, ctx: HandlerContext) -> None:
        """Start the vendor's clocks for this case."""
        session = ctx.uow.session
        ticket = await ticket_facts.load(session, ctx.envelope.ticket_id)
        if ticket is None:
            return  # a case for a ticket this timer never saw open has no client SLA to track
        at = ctx.envelope.occurred_at
        every = await self.keeper.load(session, ctx.envelope.ticket_id, live_only=False)
        started = [
            self.keeper.new(
                plan,
                ticket,
                at,
                cycle=sum(1 for c in every if c.metric == plan.metric),
                vendor=opened.vendor,
                case_reference=opened.case_reference,
            )
            for plan in self.planner.vendor_plans(opened.vendor, ticket.facts.priority)
        ]
        await self.keeper.start(ctx.uow, ctx.emit, started)

    async def on_case_acknowledged(
        self, event: VendorCaseAcknowledged, ctx: HandlerContext
    ) -> None:
        """The vendor answered: its acknowledgement clock is met."""
        metrics = {VENDOR_ACKNOWLEDGEMENT}
        await self._fulfil(ctx, event.case_reference, metrics, event.acknowledged_at)

    async def on_case_resolved(self, event: VendorCaseResolved, ctx: HandlerContext) -> None:
        """The vendor solved it: both its clocks stop."""
        await self._fulfil(ctx, event.case_reference, VENDOR_METRICS, event.resolved_at)

    async def _fulfil(
        self,
        ctx: HandlerContext,
        case_reference: str,
        metrics: frozenset[str] | set[str],
        at: datetime,
    ) -> None:
        for stored in await self.keeper.load(ctx.uow.session, ctx.envelope.ticket_id):
            if stored.metric in metrics and stored.case_reference == case_reference:
                await self.keeper.stop(ctx.uow, ctx.emit, stored, ClockState.FULFILLED, at)

    def registry(self) -> HandlerRegistry:
        """Event type to handlers."""
        return {
            VendorCaseOpened: [self.on_case_opened],
            VendorCaseAcknowledged: [self.on_case_acknowledged],
            VendorCaseResolved: [self.on_case_resolved],
        }
