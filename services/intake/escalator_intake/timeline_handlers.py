"""Projecting every service's events onto the ticket people query: timeline and summary fields."""

from __future__ import annotations

from typing import Any

from escalator_intake import ticket_store
from escalator_intake.domain.timeline_text import TIMELINE_EVENTS, describe
from escalator_intake.outgoing_mail import record_outgoing_message
from escalator_shared.bus.dispatcher import HandlerContext, HandlerRegistry
from escalator_shared.events import (
    Event,
    NotificationDelivered,
    SlaBreached,
    SlaClockPaused,
    SlaClockResumed,
    SlaClockRetargeted,
    SlaClockStarted,
    SlaClockStopped,
    TicketRouted,
    VendorCaseOpened,
)


async def record_on_timeline(event: Event, ctx: HandlerContext) -> None:
    """Append the event to its ticket's timeline and update the fields it changes."""
    envelope = ctx.envelope
    await ticket_store.append_timeline(
        ctx.uow.session,
        {
            "event_id": envelope.event_id,
            "ticket_id": envelope.ticket_id,
            "event_type": envelope.event_type,
            "producer": envelope.producer,
            "occurred_at": envelope.occurred_at,
            "summary": describe(event),
            "data": envelope.payload,
        },
    )
    changes = await _summary_changes(event, ctx)
    if changes:
        await ticket_store.update_ticket(ctx.uow.session, envelope.ticket_id, changes)


_CLOCK_EVENTS = (
    SlaClockStarted,
    SlaClockRetargeted,
    SlaClockStopped,
    SlaClockPaused,
    SlaClockResumed,
    SlaBreached,
    SlaClockPaused,
    SlaClockResumed,
)


async def _summary_changes(event: Event, ctx: HandlerContext) -> dict[str, Any]:
    if isinstance(event, TicketRouted):
        return {
            "tier": event.tier,
            "team": event.team,
            "assignee": event.assignee,
            "priority": event.priority.value,
        }
    if isinstance(event, _CLOCK_EVENTS):
        ticket = await ticket_store.get_for_update(ctx.uow.session, ctx.envelope.ticket_id)
        if ticket is None:
            return {}
        clocks = dict(ticket.sla)
        clock = dict(clocks.get(event.metric, {}))
        if isinstance(event, SlaClockStarted):
            clock.update(
                due_at=event.due_at.isoformat(),
                policy=event.policy,
                target_seconds=event.target_seconds,
                state="running",
            )
        elif isinstance(event, SlaClockRetargeted):
            clock.update(due_at=event.due_at.isoformat(), target_seconds=event.target_seconds)
        elif isinstance(event, SlaClockStopped):
            clock.update(state=event.outcome, stopped_at=event.stopped_at.isoformat())
        elif isinstance(event, SlaClockPaused):
            clock.update(state="paused", remaining_seconds=event.remaining_seconds)
        elif isinstance(event, SlaClockResumed):
            clock.update(state="running", due_at=event.due_at.isoformat())
        else:
            clock.update(state="breached", breached_at=event.breached_at.isoformat())
        clocks[event.metric] = clock
        return {"sla": clocks}
    return {}


TIMELINE_HANDLERS: HandlerRegistry = {
    **{cls: [record_on_timeline] for cls in TIMELINE_EVENTS},
    # Our own mail: replies to it thread into its ticket (outgoing_mail.py).
    NotificationDelivered: [record_on_timeline, record_outgoing_message],
    VendorCaseOpened: [record_on_timeline, record_outgoing_message],
}
