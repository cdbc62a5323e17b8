"""One-click links from notifications land here: the ticket they name (reference, title,
client, priority, SLA due) above the confirm button. Opening the page changes nothing, since
mail scanners open every link; the button posts, and the signed link is the authority."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request, Response

from escalator_console.backends import Backends, segment
from escalator_console.domain.local_time import zone_named
from escalator_console.pages.identity import ZONE_COOKIE, expect_ok, viewer_of
from escalator_console.pages.rendering import Pages
from escalator_shared.config import EscalatorConfig
from escalator_shared.events import utc_now


def one_click_routes(config: EscalatorConfig, pages: Pages, backends: Backends) -> APIRouter:
    """GET and POST /actions/{token}."""
    router = APIRouter()
    clients = {c.id: c.name for c in config.clients}
    people = {p.id: p for p in config.people}

    async def context(request: Request, token: str) -> dict[str, Any]:
        path = f"/v1/actions/{segment(token)}/preview"
        preview = expect_ok(await backends.get("intake", path, viewer_of(request)), "the link")
        person = people.get(preview["person"])
        zone = zone_named(request.cookies.get(ZONE_COOKIE), person.time_zone if person else "UTC")
        ticket = preview["ticket"]
        due = sorted(
            (str(m.get("due_at")), name)
            for name, m in (ticket.get("sla") or {}).items()
            if isinstance(m, dict) and m.get("due_at") and not m.get("stopped_at")
        )
        return {
            "now": utc_now(),
            "zone": zone,
            "preview": preview,
            "ticket": ticket,
            "person_name": person.name if person else preview["person"],
            "client_name": clients.get(ticket["client_id"], ticket["client_id"]),
            "due": due,
            "outcome": None,
        }

    @router.get("/actions/{token}")
    async def confirm(request: Request, token: str) -> Response:
        return pages.render(request, "one_click.html", await context(request, token))

    @router.post("/actions/{token}")
    async def act(request: Request, token: str) -> Response:
        values = await context(request, token)
        path = f"/v1/actions/{segment(token)}"
        answer = await backends.post("intake", path, viewer_of(request))
        values["outcome"] = {"ok": answer.ok, "message": answer.message if not answer.ok else ""}
        return pages.render(request, "one_click.html", values, status=answer.status)

    return router
