"""What an alert folded into an existing ticket changes beyond its count: a higher severity
raises the ticket's priority (never lowers it)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Row

from escalator_intake import ticket_store
from escalator_intake.domain.storm_rules import raised_priority
from escalator_shared.bus.dispatcher import HandlerContext
from escalator_shared.config import EscalatorConfig
from escalator_shared.events import AlertReceived, Event, Priority, TicketPriorityChanged


async def emit_for(ticket_id: str, event: Event, ctx: HandlerContext) -> None:
    """Emit for `ticket_id` (the alert's envelope is keyed by the alert, not the ticket)."""
    await ctx.uow.emit(
        event, ticket_id=ticket_id, client_id=ctx.envelope.client_id, cause=ctx.envelope
    )


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
