"""The queue: open tickets of the viewer, their team, or everyone they see, in the order they
breach; `/queue/rows` is the same table body for the page's live refresh."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping, Sequence
from typing import Any

from fastapi import APIRouter, Request, Response
from fastapi.responses import RedirectResponse

from escalator_console.backends import Backends, Viewer
from escalator_console.domain.queue_view import (
    OPEN_STATUSES,
    PRIORITIES,
    SCOPES,
    QueueRow,
    Scope,
    queue_filter,
    queue_rows,
)
from escalator_console.pages.identity import Identities, expect_ok
from escalator_console.pages.keep_alive import KeepAlive
from escalator_console.pages.names import names_of
from escalator_console.pages.rendering import Pages
from escalator_shared.config import EscalatorConfig

TICKET_PAGE = 2000  # the most GET /v1/tickets?view=queue answers at once
CLOCK_PAGE = 500  # the most tickets GET /v1/clocks takes at once


class QueueReader:
    """Loads a queue's tickets from intake and their live clocks from the SLA timer."""

    def __init__(self, backends: Backends, limit: int) -> None:
        self._backends = backends
        self._limit = limit

    async def rows(
        self, viewer: Viewer, query: Mapping[str, Sequence[str]]
    ) -> tuple[list[QueueRow], bool]:
        """The sorted rows, and whether the queue held more than the limit."""
        tickets: list[dict[str, Any]] = []
        cursor: str | None = None
        while True:
            params: dict[str, Any] = {
                **query,
                "view": "queue",
                "limit": str(min(TICKET_PAGE, self._limit)),
            }
            if cursor:
                params["cursor"] = cursor
            page = expect_ok(
                await self._backends.get("intake", "/v1/tickets", viewer, params), "the queue"
            )
            tickets += page["tickets"]
            cursor = page["next_cursor"]
            if cursor is None or len(tickets) >= self._limit:
                break
        clocks = await self._clocks(viewer, [str(t["id"]) for t in tickets[: self._limit]])
        return queue_rows(tickets[: self._limit], clocks), cursor is not None

    async def _clocks(
        self, viewer: Viewer, ticket_ids: list[str]
    ) -> dict[str, list[dict[str, Any]]]:
        chunks = [ticket_ids[i : i + CLOCK_PAGE] for i in range(0, len(ticket_ids), CLOCK_PAGE)]
        answers = await asyncio.gather(
            *(
                self._backends.get("sla-timer", "/v1/clocks", viewer, {"ticket_id": chunk})
                for chunk in chunks
            )
        )
        found: dict[str, list[dict[str, Any]]] = {}
        for answer in answers:
            found.update(expect_ok(answer, "SLA clocks")["tickets"])
        return found


def queue_routes(
    config: EscalatorConfig,
    pages: Pages,
    identities: Identities,
    reader: QueueReader,
    keep_alive: KeepAlive,
) -> APIRouter:
    """GET /, /queue and /queue/rows."""
    router = APIRouter()
    names = names_of(config)
    clients = names.clients

    async def load(request: Request) -> dict[str, Any]:
        me = await identities.me(request)
        params = {k: request.query_params.getlist(k) for k in request.query_params}
        default: Scope = "mine" if me.person and not me.is_manager else "all"
        wanted = queue_filter(params, default)
        rows, more = await reader.rows(me.viewer, wanted.ticket_query(me.person, me.teams))
        return identities.context(
            me,
            rows=rows,
            more=more,
            filter=wanted,
            params=wanted.as_params(),
            clients=clients,
            visible_clients={
                k: v for k, v in clients.items() if me.clients is None or k in me.clients
            },
            tiers=names.tiers,
            people=names.people,
            scopes=SCOPES,
            priorities=PRIORITIES,
            statuses=OPEN_STATUSES,
        )

    @router.get("/")
    async def home() -> Response:
        return RedirectResponse("/queue", status_code=303)

    @router.get("/queue")
    async def queue(request: Request) -> Response:
        response = pages.render(request, "queue.html", await load(request))
        await keep_alive.touch(request, response)
        return response

    @router.get("/queue/rows")
    async def rows(request: Request) -> Response:
        response = pages.render(request, "queue_rows.html", await load(request))
        await keep_alive.touch(request, response)
        return response

    return router
