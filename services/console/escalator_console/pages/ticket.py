"""The ticket page: header, SLA clocks, the whole timeline, vendor cases, deliveries, and a
form for every action the API has (`ticket_actions.py` carries them out)."""

from __future__ import annotations

import asyncio
from typing import Any

from fastapi import APIRouter, Request, Response

from escalator_console.backends import Answer, Backends, segment
from escalator_console.domain.sla_ring import ring_for
from escalator_console.domain.timeline_view import timeline_entries
from escalator_console.pages.identity import Identities, expect_ok
from escalator_console.pages.keep_alive import KeepAlive
from escalator_console.pages.names import names_of
from escalator_console.pages.rendering import Pages
from escalator_console.pages.ticket_actions import ACTIONS, HOLD_REASONS, LEVELS
from escalator_shared.config import EscalatorConfig


def ticket_routes(
    config: EscalatorConfig,
    pages: Pages,
    identities: Identities,
    backends: Backends,
    keep_alive: KeepAlive,
) -> APIRouter:
    """GET /tickets/{id} (its id, TKT reference, or the id of one of its alerts)."""
    router = APIRouter()
    names = names_of(config)

    async def load(request: Request, ticket_id: str, **values: Any) -> dict[str, Any]:
        me = await identities.me(request)
        ticket = expect_ok(
            await backends.get("intake", f"/v1/tickets/{segment(ticket_id)}", me.viewer),
            "the ticket",
        )
        internal_id = str(ticket["id"])
        clocks, cases, deliveries = await asyncio.gather(
            backends.get("sla-timer", f"/v1/tickets/{segment(internal_id)}/clocks", me.viewer),
            backends.get(
                "vendor-gateway", "/v1/vendor-cases", me.viewer, {"ticket_id": internal_id}
            ),
            backends.get("notifier", "/v1/deliveries", me.viewer, {"ticket_id": internal_id}),
        )
        clock_list = _listed(clocks, "clocks")
        live = [c for c in clock_list if c.get("state") in ("running", "paused")]
        return identities.context(
            me,
            ticket=ticket,
            timeline=timeline_entries(ticket.get("timeline", [])),
            clocks=clock_list,
            ring=ring_for(live),
            cases=_listed(cases),
            deliveries=_listed(deliveries),
            clients=names.clients,
            tiers=names.tiers,
            people=names.people,
            vendors=names.vendors,
            actions=ACTIONS,
            hold_reasons=HOLD_REASONS,
            levels=LEVELS,
            **values,
        )

    @router.get("/tickets/{ticket_id}")
    async def ticket_page(
        request: Request, ticket_id: str, done: str = "", problem: str = ""
    ) -> Response:
        context = await load(request, ticket_id, done=ACTIONS.get(done, ""), problem=problem[:500])
        response = pages.render(request, "ticket.html", context)
        await keep_alive.touch(request, response)
        return response

    @router.get("/tickets/{ticket_id}/live")
    async def live_parts(request: Request, ticket_id: str, part: str = "body") -> Response:
        """The header (`part=head`) or the clocks and timeline again, for the live refresh."""
        context = await load(request, ticket_id, part="head" if part == "head" else "body")
        response = pages.render(request, "ticket_live.html", context)
        await keep_alive.touch(request, response)
        return response

    return router


def _listed(answer: Answer, key: str | None = None) -> list[dict[str, Any]]:
    """The records of a list answer; none when the viewer may not see that part (a client
    contact does not see deliveries to staff)."""
    if answer.status in (403, 404):
        return []
    body = expect_ok(answer, "the ticket's records")
    found = body[key] if key is not None else body
    return list(found)
