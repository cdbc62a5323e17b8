"""What an alert folded into an existing ticket changes beyond its count: a higher severity
raises the ticket's priority (never lowers it); a condition back soon after it recovered is a
flap, and a flapping ticket pages at most once per flap window, saying so."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Row

from escalator_intake import ticket_store
from escalator_intake.domain.storm_rules import Flap, count_flap, raised_priority
from escalator_intake.domain.ticket_rules import TicketStatus
from escalator_intake.ticket_store import FIRING
from escalator_shared.bus.dispatcher import HandlerContext
from escalator_shared.config import EscalatorConfig
from escalator_shared.events import (
    AlertReceived,
    EscalationReason,
    EscalationRequested,
    Event,
    Priority,
    TicketPriorityChanged,
    TicketReopened,
    TicketUpdated,
)


async def emit_for(ticket_id: str, event: Event, ctx: HandlerContext) -> None:
    """Emit for `ticket_id` (the alert's envelope is keyed by the alert, not the ticket)."""
    await ctx.uow.emit(
        event, ticket_id=ticket_id, client_id=ctx.envelope.client_id, cause=ctx.envelope
    )


async def attach(
    alert: AlertReceived, ticket_id: str, state: str, ctx: HandlerContext, now: datetime
) -> None:
    """Hold the alert's condition on the ticket in `state` (firing or resolved); remember the
    alert went there."""
    session = ctx.uow.session
    await ticket_store.set_key(
        session,
        integration=alert.integration,
        dedup_key=alert.dedup_key,
        ticket_id=ticket_id,
        state=state,
        now=now,
    )
    await ticket_store.record_alert(session, alert.alert_id, ticket_id, alert.status.value, now)


async def raise_priority(
    config: EscalatorConfig, alert: AlertReceived, ticket: Row[Any], ctx: HandlerContext, how: str
) -> None:
    """Raise the ticket to the priority the alert's severity opens with, if that is higher.

    `how` says how the alert reached the ticket (joined, repeated, reopened), for the timeline.
    The SLA timer retargets the clocks and the router routes the ticket again on the event.
    """
    previous = Priority(ticket.priority)
    raised = raised_priority(previous, config.opening_priority(alert.integration, alert.severity))
    if raised is None:
        return
    await ticket_store.update_ticket(
        ctx.uow.session, ticket.id, {"priority": raised.value, "severity": alert.severity.value}
    )
    changed = TicketPriorityChanged(
        priority=raised,
        previous_priority=previous,
        by=alert.integration,
        severity=alert.severity,
        reason=f"a {alert.severity.value} alert {how}: {alert.title}",
    )
    await emit_for(ticket.id, changed, ctx)


@dataclass(frozen=True)
class FlapSteps:
    """A condition back soon after it recovered: it reopens its resolved ticket, or (a flapping
    ticket that recovery left open) comes back on it. Each is a flap on the ticket; once
    flapping, only the first flap of each flap window pages, saying how often it came back."""

    config: EscalatorConfig

    async def reopen(
        self, alert: AlertReceived, ticket: Row[Any] | None, ctx: HandlerContext, now: datetime
    ) -> None:
        """Back within the flap window of resolving: reopen the ticket (the router restarts its
        chain, paging unless the event says it paged for flapping within the window)."""
        assert ticket is not None
        flap = self._flap(ticket, now)
        status = TicketStatus.NEW if ticket.acknowledged_by is None else TicketStatus.IN_PROGRESS
        await self._store(
            ticket,
            ctx,
            now,
            flap,
            {"status": status.value, "resolved_at": None, "resolved_by": None},
        )
        await attach(alert, ticket.id, FIRING, ctx, now)
        reopened = TicketReopened(
            by=alert.integration,
            reason=flap.summary,
            reopened_at=now,
            flapping=flap.flapping,
            page=flap.page,
        )
        await emit_for(ticket.id, reopened, ctx)
        await raise_priority(self.config, alert, ticket, ctx, "reopened it")

    async def came_back(
        self, alert: AlertReceived, ticket: Row[Any], ctx: HandlerContext, now: datetime
    ) -> None:
        """Back on a flapping ticket left open: the timeline says so; a page is asked for (the
        current step again) once per flap window, unless someone acknowledged the ticket."""
        flap = self._flap(ticket, now, owned=ticket.acknowledged_by is not None)
        await self._store(ticket, ctx, now, flap, {})
        await attach(alert, ticket.id, FIRING, ctx, now)
        changes = {"alert_count": ticket.alert_count + 1, "flap_count": flap.count}
        await emit_for(
            ticket.id,
            TicketUpdated(changes={**changes, "recovered_at": None}, reason=flap.summary),
            ctx,
        )
        if flap.page:
            asked = EscalationRequested(
                reason=EscalationReason.FLAPPING, requested_by=alert.integration, note=flap.summary
            )
            await emit_for(ticket.id, asked, ctx)
        await raise_priority(self.config, alert, ticket, ctx, "came back")

    def _flap(self, ticket: Row[Any], now: datetime, *, owned: bool = False) -> Flap:
        storms = self.config.storms
        held = (ticket.flap_count, ticket.flap_times, ticket.flap_paged_at)
        return count_flap(held, now, storms.flap_window, storms.flap_threshold, owned=owned)

    async def _store(
        self,
        ticket: Row[Any],
        ctx: HandlerContext,
        now: datetime,
        flap: Flap,
        values: dict[str, Any],
    ) -> None:
        counted = {
            "alert_count": ticket.alert_count + 1,
            "last_alert_at": now,
            "recovered_at": None,
        }
        await ticket_store.update_ticket(
            ctx.uow.session, ticket.id, {**values, **counted, **flap.values(now)}
        )
