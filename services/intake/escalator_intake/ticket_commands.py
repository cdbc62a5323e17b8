"""Staff commands on tickets: each checks the ticket's state, changes it and emits its event."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Row

from escalator_intake import ticket_store
from escalator_intake.domain.ticket_rules import (
    HoldReason,
    TicketStatus,
    check_acknowledge,
    check_open,
    check_reopen,
    check_resolve,
    check_set_status,
)
from escalator_shared.db.unit_of_work import UnitOfWork
from escalator_shared.events import (
    EscalationReason,
    EscalationRequested,
    Event,
    Priority,
    TicketAcknowledged,
    TicketNoteAdded,
    TicketPriorityChanged,
    TicketReopened,
    TicketResolved,
    TicketStatusChanged,
    new_id,
    utc_now,
)
from escalator_shared.priority import Level, priority_for


class TicketNotFoundError(LookupError):
    """No ticket has that id (yet: an alert becomes a ticket moments after it is accepted)."""


@dataclass(frozen=True)
class Actor:
    """Who runs a command."""

    person: str
    role: str


class TicketCommands:
    """Each method is one transaction: lock the ticket, check, change, emit."""

    def __init__(self, unit_of_work: Callable[[], UnitOfWork]) -> None:
        self._unit_of_work = unit_of_work

    async def acknowledge(self, ticket_id: str, actor: Actor) -> None:
        """Take the ticket; escalation for lack of acknowledgement stops."""
        async with self._unit_of_work() as uow:
            ticket = await _locked(uow, ticket_id)
            check_acknowledge(TicketStatus(ticket.status), ticket.acknowledged_by)
            now = utc_now()
            await _change(
                uow,
                ticket,
                {
                    "status": TicketStatus.IN_PROGRESS.value,
                    "acknowledged_at": now,
                    "acknowledged_by": actor.person,
                },
                TicketAcknowledged(by=actor.person, acknowledged_at=now),
            )

    async def resolve(self, ticket_id: str, actor: Actor, resolution: str) -> None:
        """The problem is fixed; clocks and escalations end."""
        async with self._unit_of_work() as uow:
            ticket = await _locked(uow, ticket_id)
            check_resolve(TicketStatus(ticket.status))
            now = utc_now()
            await _change(
                uow,
                ticket,
                {
                    "status": TicketStatus.RESOLVED.value,
                    "resolved_at": now,
                    "resolved_by": actor.person,
                    "hold_reason": None,
                },
                TicketResolved(by=actor.person, resolved_at=now, resolution=resolution),
            )

    async def reopen(self, ticket_id: str, actor: Actor, reason: str) -> None:
        """A resolved ticket is open again, in progress with whoever had it."""
        async with self._unit_of_work() as uow:
            ticket = await _locked(uow, ticket_id)
            check_reopen(TicketStatus(ticket.status))
            await _change(
                uow,
                ticket,
                {
                    "status": TicketStatus.IN_PROGRESS.value,
                    "resolved_at": None,
                    "resolved_by": None,
                },
                TicketReopened(by=actor.person, reason=reason, reopened_at=utc_now()),
            )

    async def set_status(
        self, ticket_id: str, actor: Actor, status: TicketStatus, hold_reason: HoldReason | None
    ) -> None:
        """In progress, on hold (with why) or cancelled."""
        async with self._unit_of_work() as uow:
            ticket = await _locked(uow, ticket_id)
            previous = TicketStatus(ticket.status)
            check_set_status(previous, status, hold_reason, actor.role)
            reason = hold_reason.value if hold_reason else None
            event = TicketStatusChanged(
                status=status.value,
                previous_status=previous.value,
                hold_reason=reason,
                by=actor.person,
                changed_at=utc_now(),
            )
            await _change(uow, ticket, {"status": status.value, "hold_reason": reason}, event)

    async def add_note(self, ticket_id: str, actor: Actor, text: str, visible: bool) -> str:
        """An internal note, or an update the customer sees; returns the note's id."""
        note_id = new_id()
        async with self._unit_of_work() as uow:
            ticket = await _locked(uow, ticket_id)
            event = TicketNoteAdded(
                note_id=note_id, by=actor.person, text=text, customer_visible=visible
            )
            await _change(uow, ticket, {}, event)
        return note_id

    async def change_priority(
        self, ticket_id: str, actor: Actor, impact: Level, urgency: Level
    ) -> Priority:
        """New impact and urgency; the priority follows the ITIL matrix."""
        async with self._unit_of_work() as uow:
            ticket = await _locked(uow, ticket_id)
            check_open(TicketStatus(ticket.status), "re-prioritised")
            priority = priority_for(impact, urgency)
            event = TicketPriorityChanged(
                impact=impact.value,
                urgency=urgency.value,
                priority=priority,
                previous_priority=ticket.priority,
                by=actor.person,
            )
            await _change(
                uow,
                ticket,
                {"impact": impact.value, "urgency": urgency.value, "priority": priority.value},
                event,
            )
        return priority

    async def escalate(self, ticket_id: str, actor: Actor, note: str) -> None:
        """Ask the router to move the ticket up its chain now."""
        async with self._unit_of_work() as uow:
            ticket = await _locked(uow, ticket_id)
            check_open(TicketStatus(ticket.status), "escalated")
            event = EscalationRequested(
                reason=EscalationReason.MANUAL, requested_by=actor.person, note=note
            )
            await _change(uow, ticket, {}, event)


async def _locked(uow: UnitOfWork, ticket_id: str) -> Row[Any]:
    ticket = await ticket_store.get_for_update(uow.session, ticket_id)
    if ticket is None:
        raise TicketNotFoundError(ticket_id)
    return ticket


async def _change(uow: UnitOfWork, ticket: Row[Any], values: dict[str, Any], event: Event) -> None:
    if values:
        await ticket_store.update_ticket(uow.session, ticket.id, values)
    await uow.emit(event, ticket_id=ticket.id, client_id=ticket.client_id)
