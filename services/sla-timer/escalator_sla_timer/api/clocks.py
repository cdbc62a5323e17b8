"""`GET /v1/tickets/{id}/clocks`, `GET /v1/clocks` (a queue's live clocks) and
`PUT /v1/tickets/{id}/clocks/{clock_id}/due`."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request, Response
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import Text, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from escalator_shared.access import CUSTOMER_CLOCK_METRICS, Permission, Principal
from escalator_shared.config import EscalatorConfig
from escalator_shared.db.array_params import any_of
from escalator_shared.events import utc_now
from escalator_shared.http.auth import authorize, hidden_looked_up
from escalator_shared.http.errors import ApiError
from escalator_shared.http.fast_json import json_response
from escalator_shared.storage_text import StoredText
from escalator_sla_timer.clock_commands import ClockCommands, ClockNotFoundError
from escalator_sla_timer.clock_rows import from_row
from escalator_sla_timer.domain.clock import ClockState
from escalator_sla_timer.domain.clock_view import LogEntry, clock_view, ring_figures
from escalator_sla_timer.domain.plans import CalendarBook
from escalator_sla_timer.tables import clock_log, clocks


class LiveClockQuery(BaseModel):
    """Tickets whose live clocks a queue shows."""

    model_config = ConfigDict(extra="forbid")

    ticket_id: list[str] = Field(min_length=1, max_length=500)


_LIVE = (ClockState.RUNNING.value, ClockState.PAUSED.value)
# What a queue's ring needs of a live clock (GET /v1/clocks).
_RING_COLUMNS = (
    "id",
    "ticket_id",
    "client_id",
    "metric",
    "calendar",
    "state",
    "target",
    "elapsed",
    "running_since",
    "due_at",
    "breached_at",
    "warned",
)
# One SQL text and one prepared statement whatever the number of tickets asked about.
_LIVE_CLOCKS = (
    select(*(clocks.c[name] for name in _RING_COLUMNS))
    .where(clocks.c.ticket_id == any_of("ticket_ids", Text), clocks.c.state.in_(_LIVE))
    .order_by(clocks.c.started_at, clocks.c.metric)
)


class DueOverride(BaseModel):
    """A manager's new due time for a clock."""

    model_config = ConfigDict(extra="forbid")

    due_at: datetime = Field(description="The new due time, with its UTC offset.")
    reason: StoredText = Field(min_length=3, max_length=500, description="Why (kept in the log).")


def clocks_router(
    config: EscalatorConfig,
    sessions: async_sessionmaker[AsyncSession],
    calendars: CalendarBook,
    commands: ClockCommands,
) -> APIRouter:
    """The clock endpoints: a ticket's clocks for whoever sees its client (client contacts: the
    contract's clocks, without their logs); overrides need a manager."""
    api = APIRouter()

    @api.get("/v1/tickets/{ticket_id}/clocks")
    async def ticket_clocks(ticket_id: str, request: Request) -> dict[str, Any]:
        """Each clock: target, business time used and left, pauses, due time, state, log."""
        principal = authorize(config, request, Permission.READ)
        async with sessions() as session:
            rows = (
                await session.execute(
                    select(clocks)
                    .where(clocks.c.ticket_id == ticket_id)
                    .order_by(clocks.c.started_at, clocks.c.metric, clocks.c.cycle)
                )
            ).all()
            entries = (
                await session.execute(
                    select(clock_log)
                    .where(clock_log.c.ticket_id == ticket_id)
                    .order_by(clock_log.c.at, clock_log.c.id)
                )
            ).all()
        if principal.is_contact:
            rows = [r for r in rows if r.metric in CUSTOMER_CLOCK_METRICS]
        if not rows or not principal.sees(rows[0].client_id):
            raise ApiError(404, "no_clocks", f"ticket {ticket_id!r} has no SLA clocks")
        now = utc_now()
        views = []
        for row in rows:
            stored = from_row(row)
            log = [LogEntry(e.kind, e.at, e.detail) for e in entries if e.clock_id == stored.id]
            view = clock_view(stored.clock, calendars.get(stored.calendar), log, now)
            if principal.is_contact:
                view.pop("log", None)
                views.append({"id": stored.id, "metric": stored.metric, **view})
                continue
            views.append(
                {
                    "id": stored.id,
                    "metric": stored.metric,
                    "cycle": stored.cycle,
                    "policy": stored.policy,
                    "calendar": stored.calendar,
                    "priority": stored.priority,
                    "vendor": stored.vendor,
                    "case_reference": stored.case_reference,
                    "drill": stored.drill,
                    **view,
                }
            )
        return {"ticket_id": ticket_id, "as_of": now, "clocks": views}

    @api.get("/v1/clocks")
    async def live_clocks(request: Request, query: Annotated[LiveClockQuery, Query()]) -> Response:
        """The running and paused clocks of up to 500 tickets, by ticket (figures in business
        time, no logs): a queue's SLA rings. Tickets the caller does not see are left out."""
        principal = authorize(config, request, Permission.READ)
        async with sessions() as session:
            rows = (await session.execute(_LIVE_CLOCKS, {"ticket_ids": query.ticket_id})).all()
        now = utc_now()
        by_ticket: dict[str, list[dict[str, Any]]] = {}
        for row in rows:
            if not principal.sees(row.client_id):
                continue
            if principal.is_contact and row.metric not in CUSTOMER_CLOCK_METRICS:
                continue
            figures = ring_figures(row, calendars.get(row.calendar), now)
            by_ticket.setdefault(row.ticket_id, []).append(
                {"id": row.id, "metric": row.metric, **figures}
            )
        return json_response({"as_of": now, "tickets": by_ticket})

    @api.put("/v1/tickets/{ticket_id}/clocks/{clock_id}/due")
    async def set_due(
        ticket_id: str, clock_id: str, body: DueOverride, request: Request
    ) -> dict[str, Any]:
        """Override a live clock's due time; the reason goes into the clock's log."""
        staff = authorize(config, request, Permission.MANAGE)
        await _visible_clock(sessions, staff, ticket_id, clock_id)
        if body.due_at.tzinfo is None:
            raise ApiError(422, "naive_due_at", "due_at needs a UTC offset, e.g. ...T17:00:00Z")
        try:
            due_at = await commands.set_due(
                ticket_id, clock_id, body.due_at, body.reason, staff.person
            )
        except ClockNotFoundError as exc:
            raise _no_live_clock(ticket_id, clock_id) from exc
        return {"clock_id": clock_id, "due_at": due_at}

    return api


def _no_live_clock(ticket_id: str, clock_id: str) -> ApiError:
    message = f"ticket {ticket_id!r} has no running or paused clock {clock_id!r}"
    return ApiError(404, "no_live_clock", message)


async def _visible_clock(
    sessions: async_sessionmaker[AsyncSession], principal: Principal, ticket_id: str, clock_id: str
) -> None:
    """404, as for a clock that does not exist, when it is another client's."""

    async def client_of() -> str | None:
        query = select(clocks.c.client_id).where(clocks.c.id == clock_id)
        async with sessions() as session:
            client_id: str | None = (await session.execute(query)).scalar()
        return client_id

    await hidden_looked_up(principal, client_of, _no_live_clock(ticket_id, clock_id))
