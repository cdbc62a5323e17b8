"""Staff commands on tickets: each checks the ticket's state, changes it and emits its event."""

from __future__ import annotations

from collections.abc import Callable

from escalator_intake import ticket_store
from escalator_intake.domain.ticket_rules import TicketStatus, check_acknowledge, check_resolve
from escalator_shared.db.unit_of_work import UnitOfWork
from escalator_shared.events import TicketAcknowledged, TicketResolved, utc_now


class TicketNotFoundError(LookupError):
    """No ticket has that id (yet: an alert becomes a ticket moments after it is accepted)."""


async def acknowledge(unit_of_work: Callable[[], UnitOfWork], ticket_id: str, person: str) -> None:
    """Mark the ticket acknowledged by `person`; escalation for lack of acknowledgement stops."""
    async with unit_of_work() as uow:
        ticket = await ticket_store.get_for_update(uow.session, ticket_id)
        if ticket is None:
            raise TicketNotFoundError(ticket_id)
        check_acknowledge(TicketStatus(ticket.status), ticket.acknowledged_by)
        now = utc_now()
        await ticket_store.update_ticket(
            uow.session,
            ticket_id,
            {
                "status": TicketStatus.IN_PROGRESS.value,
                "acknowledged_at": now,
                "acknowledged_by": person,
            },
        )
        await uow.emit(
            TicketAcknowledged(by=person, acknowledged_at=now),
            ticket_id=ticket_id,
            client_id=ticket.client_id,
        )


async def resolve(
    unit_of_work: Callable[[], UnitOfWork], ticket_id: str, person: str, resolution: str
) -> None:
    """Mark the ticket resolved by `person`; its clocks and escalations end."""
    async with unit_of_work() as uow:
        ticket = await ticket_store.get_for_update(uow.session, ticket_id)
        if ticket is None:
            raise TicketNotFoundError(ticket_id)
        check_resolve(TicketStatus(ticket.status))
        now = utc_now()
        await ticket_store.update_ticket(
            uow.session,
            ticket_id,
            {"status": TicketStatus.RESOLVED.value, "resolved_at": now, "resolved_by": person},
        )
        await uow.emit(
            TicketResolved(by=person, resolved_at=now, resolution=resolution),
            ticket_id=ticket_id,
            client_id=ticket.client_id,
        )
