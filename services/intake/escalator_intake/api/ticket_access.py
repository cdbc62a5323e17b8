"""Who may act on a ticket: staff who see its client; for anyone else it does not exist."""

from __future__ import annotations

from fastapi import Request
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from escalator_intake import ticket_store
from escalator_shared.access import Permission, Principal
from escalator_shared.config import EscalatorConfig
from escalator_shared.http.auth import authorize, hidden_looked_up
from escalator_shared.http.errors import ApiError


def ticket_not_found(ticket_id: str) -> ApiError:
    """The 404 of a ticket that does not exist (or that the caller may not see)."""
    return ApiError(
        404,
        "ticket_not_found",
        f"no ticket {ticket_id!r}; an accepted alert becomes a ticket within moments",
    )


async def working_on(
    config: EscalatorConfig,
    request: Request,
    session_factory: async_sessionmaker[AsyncSession],
    ticket_id: str,
) -> Principal:
    """A staff caller who sees the ticket's client (else the ticket's own 404)."""
    principal = authorize(config, request, Permission.WORK)

    async def client_of() -> str | None:
        async with session_factory() as session:
            ticket = await ticket_store.load_ticket(session, ticket_id)
        return ticket.client_id if ticket else None

    await hidden_looked_up(principal, client_of, ticket_not_found(ticket_id))
    return principal
