"""What moves a running chain: acknowledgement, resolve, reopen, and escalation triggers.

Triggers come as EscalationRequested (a technician, an unhappy customer) and as the SLA timer's
warnings and breaches; each is looked up in the snapshotted policy's action table.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from escalator_router.chain_keeper import ChainKeeper
from escalator_router.domain.escalation_chain import (
    ChainStatus,
    ExtraPage,
    StepReached,
    Unchanged,
    acknowledge,
    resolve,
    start,
    trigger,
)
from escalator_shared.bus.dispatcher import HandlerContext, HandlerRegistry
from escalator_shared.errors import NotReadyError
from escalator_shared.events import (
    EscalationReason,
    EscalationRequested,
    SlaBreached,
    SlaWarningReached,
    TicketAcknowledged,
    TicketReopened,
    TicketResolved,
    utc_now,
)

_STOPPED_ALREADY = frozenset({ChainStatus.ACKNOWLEDGED, ChainStatus.RESOLVED})


@dataclass(frozen=True)
class TicketLifeHandlers:
    """Acknowledged, resolved and reopened tickets (the `tickets` topic)."""

    keeper: ChainKeeper

    async def on_acknowledged(self, event: TicketAcknowledged, ctx: HandlerContext) -> None:
        """Stop timed escalation."""
        record = await self.keeper.load(ctx.uow.session, ctx.envelope.ticket_id)
        if record is None or record.chain.status in _STOPPED_ALREADY:
            return
        chain = acknowledge(record.chain)
        await self.keeper.save(ctx.uow.session, record, chain, utc_now())
        await self.keeper.stopped(
            ctx.uow, record, chain, "acknowledged", by=event.by, emit=ctx.emit
        )

    async def on_resolved(self, event: TicketResolved, ctx: HandlerContext) -> None:
        """End the chain."""
        record = await self.keeper.load(ctx.uow.session, ctx.envelope.ticket_id)
        if record is None or record.chain.status is ChainStatus.RESOLVED:
            return
        chain = resolve(record.chain)
        await self.keeper.save(ctx.uow.session, record, chain, utc_now())
        if record.chain.status is ChainStatus.ACTIVE:
            await self.keeper.stopped(
                ctx.uow, record, chain, "resolved", by=event.by, emit=ctx.emit
            )

    async def on_reopened(self, event: TicketReopened, ctx: HandlerContext) -> None:
        """Start the chain again from its first step, with the same policy snapshot.

        A flapping ticket's first step is paged saying so, or, when intake says it paged within
        its flap window (`page` false), not at all: the chain restarts quietly, to escalate if
        nobody acknowledges.
        """
        record = await self.keeper.load(ctx.uow.session, ctx.envelope.ticket_id)
        if record is None:
            return
        now = utc_now()
        reason, detail = ("flapping", event.reason) if event.flapping else ("reopened", "")
        chain, outcome = start(record.policy, now, reason, detail)
        if not event.page:
            outcome = Unchanged(f"flapping, paged within its flap window: {event.reason}")
        restarted = replace(record, started_at=now)
        await self.keeper.save(ctx.uow.session, restarted, chain, now)
        await self.keeper.publish(ctx.uow, restarted, chain, outcome, now=now, emit=ctx.emit)

    def registry(self) -> HandlerRegistry:
        """Event type to handlers (RoutingHandlers adds TicketOpened)."""
        return {
            TicketAcknowledged: [self.on_acknowledged],
            TicketResolved: [self.on_resolved],
            TicketReopened: [self.on_reopened],
        }


@dataclass(frozen=True)
class TriggerHandlers:
    """Escalation requests and SLA warnings and breaches (the `routing` and `sla` topics)."""

    keeper: ChainKeeper

    async def on_requested(self, event: EscalationRequested, ctx: HandlerContext) -> None:
        """A technician, an unhappy customer or another service asks to escalate. A flapping
        ticket's page carries intake's note ("flapping: reopened 4 times in the last …")."""
        flapping = event.reason is EscalationReason.FLAPPING
        await self._apply(ctx, event.reason, detail=event.note if flapping else "")

    async def on_sla_warning(self, _event: SlaWarningReached, ctx: HandlerContext) -> None:
        """A clock passed a warning threshold."""
        await self._apply(ctx, EscalationReason.SLA_WARNING)

    async def on_sla_breached(self, _event: SlaBreached, ctx: HandlerContext) -> None:
        """A clock breached."""
        await self._apply(ctx, EscalationReason.SLA_BREACHED)

    async def _apply(self, ctx: HandlerContext, reason: EscalationReason, detail: str = "") -> None:
        record = await self.keeper.load(ctx.uow.session, ctx.envelope.ticket_id)
        if record is None:
            raise NotReadyError("the ticket has not been routed yet")
        now = utc_now()
        chain, outcome = trigger(record.policy, record.chain, reason, now)
        if detail and isinstance(outcome, StepReached | ExtraPage):
            outcome = replace(outcome, detail=detail)
        if chain != record.chain:
            await self.keeper.save(ctx.uow.session, record, chain, now)
        await self.keeper.publish(ctx.uow, record, chain, outcome, now=now, emit=ctx.emit)

    def registry(self) -> HandlerRegistry:
        """Event type to handlers."""
        return {
            EscalationRequested: [self.on_requested],
            SlaWarningReached: [self.on_sla_warning],
            SlaBreached: [self.on_sla_breached],
        }
