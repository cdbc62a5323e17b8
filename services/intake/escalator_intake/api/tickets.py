"""GET /v1/tickets/{id}; POST /v1/tickets/{id}/acknowledge and /resolve (staff token)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import APIRouter, Request
from pydantic import BaseModel, Field
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from escalator_intake import ticket_commands, ticket_store
from escalator_intake.api.auth import authenticate_staff
from escalator_intake.domain.ticket_rules import TransitionRefusedError
from escalator_shared.config import EscalatorConfig
from escalator_shared.db.unit_of_work import UnitOfWork
from escalator_shared.http.errors import ApiError


class ResolveRequest(BaseModel):
    """Body of a resolve command."""

    resolution: str = Field(default="", max_length=10_000, description="What fixed it.")


def tickets_router(
    config: EscalatorConfig,
    session_factory: async_sessionmaker[AsyncSession],
    unit_of_work: Callable[[], UnitOfWork],
) -> APIRouter:
    """The ticket endpoints, bound to their collaborators."""
    router = APIRouter(tags=["tickets"])

    @router.get("/v1/tickets/{ticket_id}")
    async def get_ticket(ticket_id: str, request: Request) -> dict[str, Any]:
        authenticate_staff(config, request)
        return await _ticket_view(session_factory, ticket_id)

    @router.post("/v1/tickets/{ticket_id}/acknowledge")
    async def acknowledge(ticket_id: str, request: Request) -> dict[str, Any]:
        staff = authenticate_staff(config, request)
        await _run(ticket_commands.acknowledge(unit_of_work, ticket_id, staff.person), ticket_id)
        return await _ticket_view(session_factory, ticket_id)

    @router.post("/v1/tickets/{ticket_id}/resolve")
    async def resolve(
        ticket_id: str, request: Request, body: ResolveRequest | None = None
    ) -> dict[str, Any]:
        staff = authenticate_staff(config, request)
        resolution = body.resolution if body else ""
        await _run(
            ticket_commands.resolve(unit_of_work, ticket_id, staff.person, resolution), ticket_id
        )
        return await _ticket_view(session_factory, ticket_id)

    return router


async def _run(command: Any, ticket_id: str) -> None:
    try:
        await command
    except ticket_commands.TicketNotFoundError as exc:
        raise _not_found(ticket_id) from exc
    except TransitionRefusedError as exc:
        raise ApiError(409, "conflict", str(exc)) from exc


async def _ticket_view(
    session_factory: async_sessionmaker[AsyncSession], ticket_id: str
) -> dict[str, Any]:
    async with session_factory() as session:
        ticket = await ticket_store.load_ticket(session, ticket_id)
        if ticket is None:
            raise _not_found(ticket_id)
        entries = await ticket_store.load_timeline(session, ticket.id)
    view = dict(ticket._mapping)
    view["sla"] = ticket.sla
    view["timeline"] = [
        {
            "at": e.occurred_at,
            "event": e.event_type,
            "by": e.producer,
            "summary": e.summary,
            "event_id": e.event_id,
        }
        for e in entries
    ]
    return view


def _not_found(ticket_id: str) -> ApiError:
    return ApiError(
        404,
        "ticket_not_found",
        f"no ticket {ticket_id!r}; an accepted alert becomes a ticket within moments",
    )
