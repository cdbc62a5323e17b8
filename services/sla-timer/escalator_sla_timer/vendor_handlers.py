"""Vendor cases run on the vendor's own commitment: acknowledgement and resolution clocks."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import datetime

from escalator_shared.bus.dispatcher import HandlerContext, HandlerRegistry
from escalator_shared.events import VendorCaseAcknowledged, VendorCaseOpened, VendorCaseResolved
from escalator_sla_timer import ticket_facts, vendor_cases
from escalator_sla_timer.clock_keeper import LIVE
from escalator_sla_timer.domain.clock import ClockState
from escalator_sla_timer.domain.plans import VENDOR_ACKNOWLEDGEMENT, VENDOR_METRICS
from escalator_sla_timer.vendor_cases import VendorCase, VendorClocks


@dataclass(frozen=True)
class VendorHandlers:
    """Handlers of the `vendor` topic."""

    clocks: VendorClocks

    async def on_case_opened(self, opened: VendorCaseOpened, ctx: HandlerContext) -> None:
        """Start the vendor's clocks for this case (or keep it until its ticket opens)."""
        session = ctx.uow.session
        ticket_id = ctx.envelope.ticket_id
        case = VendorCase(opened.vendor, opened.case_reference, ctx.envelope.occurred_at)
        ticket = await ticket_facts.lock(session, ticket_id)
        if ticket is None:
            await vendor_cases.wait(session, ticket_id, case)
            return
        every = await self.clocks.keeper.load(session, ticket_id, live_only=False)
        cycles = Counter(c.metric for c in every)
        await self.clocks.start(ctx.uow, ctx.emit, ticket, case, cycles)

    async def on_case_acknowledged(
        self, event: VendorCaseAcknowledged, ctx: HandlerContext
    ) -> None:
        """The vendor answered: its acknowledgement clock is met."""
        metrics = {VENDOR_ACKNOWLEDGEMENT}
        at = event.acknowledged_at
        case = (event.vendor, event.case_reference)
        await self._fulfil(ctx, case, metrics, at, {"acknowledged_at": at})

    async def on_case_resolved(self, event: VendorCaseResolved, ctx: HandlerContext) -> None:
        """The vendor solved it: both its clocks stop."""
        at = event.resolved_at
        case = (event.vendor, event.case_reference)
        await self._fulfil(ctx, case, VENDOR_METRICS, at, {"resolved_at": at})

    async def _fulfil(
        self,
        ctx: HandlerContext,
        case: tuple[str, str],
        metrics: frozenset[str] | set[str],
        at: datetime,
        waiting: dict[str, datetime],
    ) -> None:
        session = ctx.uow.session
        ticket_id = ctx.envelope.ticket_id
        if await ticket_facts.lock(session, ticket_id) is None:
            await vendor_cases.note(session, ticket_id, case, **waiting)
            return
        every = await self.clocks.keeper.load(session, ticket_id, live_only=False)
        for stored in vendor_cases.clocks_of(every, case):
            if stored.metric in metrics and stored.clock.state.value in LIVE:
                await self.clocks.keeper.stop(ctx.uow, ctx.emit, stored, ClockState.FULFILLED, at)

    def registry(self) -> HandlerRegistry:
        """Event type to handlers."""
        return {
            VendorCaseOpened: [self.on_case_opened],
            VendorCaseAcknowledged: [self.on_case_acknowledged],
            VendorCaseResolved: [self.on_case_resolved],
        }
