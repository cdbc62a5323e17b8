"""GET /v1/tickets and /v1/tickets/{id} (of the caller's clients; client contacts get the
customer-visible view); POST commands on a ticket (staff of the ticket's client)."""

from __future__ import annotations

from collections.abc import Awaitable
from datetime import datetime
from typing import Annotated, Any, Literal, TypeVar

from fastapi import APIRouter, Query, Request, Response
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from escalator_intake import ticket_queries, ticket_store
from escalator_intake.api.ticket_access import ticket_not_found, working_on
from escalator_intake.domain.customer_view import customer_ticket, customer_timeline
from escalator_intake.domain.ticket_rules import (
    HoldReason,
    TicketStatus,
    TransitionRefusedError,
    ticket_reference,
)
from escalator_intake.ticket_commands import Actor, TicketCommands, TicketNotFoundError
from escalator_intake.ticket_queries import TicketFilter
from escalator_shared.access import Permission, Principal
from escalator_shared.config import EscalatorConfig
from escalator_shared.http.auth import authorize, hidden
from escalator_shared.http.errors import ApiError
from escalator_shared.http.fast_json import json_response
from escalator_shared.priority import Level
from escalator_shared.storage_text import StoredText

_T = TypeVar("_T")


class TicketQuery(BaseModel):
    """Filters of GET /v1/tickets; repeat a parameter for any of several values."""

    model_config = ConfigDict(extra="forbid")

    client: list[str] = Field(default_factory=list)
    status: list[str] = Field(default_factory=list)
    priority: list[str] = Field(default_factory=list)
    tier: list[str] = Field(default_factory=list)
    assignee: list[str] = Field(default_factory=list)
    integration: list[str] = Field(default_factory=list)
    team: list[str] = Field(default_factory=list)
    dedup_key: str | None = None
    opened_after: datetime | None = None
    opened_before: datetime | None = None
    limit: int = Field(
        default=50, ge=1, le=2000, description="At most 500, or 2,000 with view=queue."
    )
    cursor: str | None = None
    view: Literal["full", "queue"] = Field(
        default="full", description="'queue': only the columns a queue shows, up to 2,000 a page."
    )


class ReasonRequest(BaseModel):
    """Body of reopen and escalate."""

    reason: StoredText = Field(default="", max_length=10_000)


class StatusRequest(BaseModel):
    """Body of a status change."""

    status: TicketStatus
    hold_reason: HoldReason | None = None


class NoteRequest(BaseModel):
    """Body of a note."""

    text: StoredText = Field(min_length=1, max_length=65_536)
    customer_visible: bool = False


class PriorityRequest(BaseModel):
    """Body of an impact/urgency change."""

    impact: Level
    urgency: Level


class ResolveRequest(BaseModel):
    """Body of a resolve command."""

    resolution: StoredText = Field(default="", max_length=10_000, description="What fixed it.")


FULL_PAGE_LIMIT = 500


def tickets_router(
    config: EscalatorConfig,
    session_factory: async_sessionmaker[AsyncSession],
    commands: TicketCommands,
) -> APIRouter:
    """The ticket endpoints, bound to their collaborators."""
    router = APIRouter(tags=["tickets"])

    @router.get("/v1/tickets")
    async def list_tickets(request: Request, query: Annotated[TicketQuery, Query()]) -> Response:
        principal = authorize(config, request, Permission.READ)
        if query.view == "full" and query.limit > FULL_PAGE_LIMIT:
            raise ApiError(
                422, "limit_too_large", f"limit: at most {FULL_PAGE_LIMIT} (2,000 with view=queue)"
            )
        clients = principal.client_filter(query.client)
        if clients == []:
            return json_response({"tickets": [], "next_cursor": None})
        wanted = TicketFilter(
            client=clients or [],
            status=query.status,
            priority=query.priority,
            tier=query.tier,
            assignee=query.assignee,
            integration=query.integration,
            team=query.team,
            dedup_key=query.dedup_key,
            opened_after=query.opened_after,
            opened_before=query.opened_before,
        )
        try:
            async with session_factory() as session:
                page, next_cursor = await ticket_queries.list_tickets(
                    session,
                    wanted,
                    query.limit,
                    query.cursor,
                    queue_view=query.view == "queue" and not principal.is_contact,
                )
        except ticket_queries.BadCursorError as exc:
            raise ApiError(400, "invalid_cursor", str(exc)) from exc
        if principal.is_contact:
            page = [customer_ticket(ticket) for ticket in page]
        return json_response({"tickets": page, "next_cursor": next_cursor})

    @router.get("/v1/tickets/{ticket_id}")
    async def get_ticket(ticket_id: str, request: Request) -> dict[str, Any]:
        principal = authorize(config, request, Permission.READ)
        return await _ticket_view(session_factory, ticket_id, principal)

    @router.post("/v1/tickets/{ticket_id}/acknowledge")
    async def acknowledge(ticket_id: str, request: Request) -> dict[str, Any]:
        staff = await working_on(config, request, session_factory, ticket_id)
        actor = Actor(person=staff.person, role=staff.role)
        await _run(commands.acknowledge(ticket_id, actor), ticket_id)
        return await _ticket_view(session_factory, ticket_id, staff)

    @router.post("/v1/tickets/{ticket_id}/resolve")
    async def resolve(
        ticket_id: str, request: Request, body: ResolveRequest | None = None
    ) -> dict[str, Any]:
        staff = await working_on(config, request, session_factory, ticket_id)
        actor = Actor(person=staff.person, role=staff.role)
        resolution = body.resolution if body else ""
        await _run(commands.resolve(ticket_id, actor, resolution), ticket_id)
        return await _ticket_view(session_factory, ticket_id, staff)

    @router.post("/v1/tickets/{ticket_id}/reopen")
    async def reopen(
        ticket_id: str, request: Request, body: ReasonRequest | None = None
    ) -> dict[str, Any]:
        staff = await working_on(config, request, session_factory, ticket_id)
        actor = Actor(person=staff.person, role=staff.role)
        await _run(commands.reopen(ticket_id, actor, body.reason if body else ""), ticket_id)
        return await _ticket_view(session_factory, ticket_id, staff)

    @router.post("/v1/tickets/{ticket_id}/status")
    async def set_status(ticket_id: str, request: Request, body: StatusRequest) -> dict[str, Any]:
        staff = await working_on(config, request, session_factory, ticket_id)
        actor = Actor(person=staff.person, role=staff.role)
        await _run(commands.set_status(ticket_id, actor, body.status, body.hold_reason), ticket_id)
        return await _ticket_view(session_factory, ticket_id, staff)

    @router.post("/v1/tickets/{ticket_id}/notes", status_code=201)
    async def add_note(ticket_id: str, request: Request, body: NoteRequest) -> dict[str, Any]:
        staff = await working_on(config, request, session_factory, ticket_id)
        actor = Actor(person=staff.person, role=staff.role)
        note_id = await _run(
            commands.add_note(ticket_id, actor, body.text, body.customer_visible), ticket_id
        )
        return {"note_id": note_id, "ticket": await _ticket_view(session_factory, ticket_id, staff)}

    @router.post("/v1/tickets/{ticket_id}/priority")
    async def change_priority(
        ticket_id: str, request: Request, body: PriorityRequest
    ) -> dict[str, Any]:
        staff = await working_on(config, request, session_factory, ticket_id)
        actor = Actor(person=staff.person, role=staff.role)
        await _run(commands.change_priority(ticket_id, actor, body.impact, body.urgency), ticket_id)
        return await _ticket_view(session_factory, ticket_id, staff)

    @router.post("/v1/tickets/{ticket_id}/escalate", status_code=202)
    async def escalate(
        ticket_id: str, request: Request, body: ReasonRequest | None = None
    ) -> dict[str, Any]:
        staff = await working_on(config, request, session_factory, ticket_id)
        actor = Actor(person=staff.person, role=staff.role)
        await _run(commands.escalate(ticket_id, actor, body.reason if body else ""), ticket_id)
        return await _ticket_view(session_factory, ticket_id, staff)

    return router


async def _run(command: Awaitable[_T], ticket_id: str) -> _T:
    try:
        return await command
    except TicketNotFoundError as exc:
        raise ticket_not_found(ticket_id) from exc
    except TransitionRefusedError as exc:
        raise ApiError(409, "conflict", str(exc)) from exc


async def _ticket_view(
    session_factory: async_sessionmaker[AsyncSession], ticket_id: str, principal: Principal
) -> dict[str, Any]:
    async with session_factory() as session:
        # One snapshot for both reads: the summary fields (SLA state) and the timeline come
        # from the same commits (under READ COMMITTED, an event committed between the two
        # reads could show on the timeline and not yet in the summary).
        await session.connection(execution_options={"isolation_level": "REPEATABLE READ"})
        ticket = await ticket_store.load_ticket(session, ticket_id)
        if ticket is None:
            raise ticket_not_found(ticket_id)
        hidden(principal, ticket.client_id, ticket_not_found(ticket_id))
        entries = await ticket_store.load_timeline(session, ticket.id)
    view = dict(ticket._mapping)
    view["reference"] = ticket_reference(ticket.number)
    view["sla"] = ticket.sla
    timeline = [
        {
            "at": e.occurred_at,
            "event": e.event_type,
            "by": e.producer,
            "summary": e.summary,
            "event_id": e.event_id,
            "data": e.data,
        }
        for e in entries
    ]
    if principal.is_contact:
        return {**customer_ticket(view), "timeline": customer_timeline(timeline)}
    for entry in timeline:
        del entry["data"]
    view["timeline"] = timeline
    return view
