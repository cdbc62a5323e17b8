"""One-click links: GET shows a confirmation page, POST acts.

A GET never changes anything, because mail scanners open every link in a message; the person
confirms with one click. Links are minted by the notifier, or by staff at
POST /v1/tickets/{id}/links.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from html import escape
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, JSONResponse
from pydantic import BaseModel, Field
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from escalator_intake import ticket_store
from escalator_intake.api.ticket_access import working_on
from escalator_intake.domain.ticket_rules import TransitionRefusedError, ticket_reference
from escalator_intake.ticket_commands import Actor, TicketCommands, TicketNotFoundError
from escalator_shared.config import EscalatorConfig
from escalator_shared.events import utc_now
from escalator_shared.http.errors import ApiError
from escalator_shared.signed_links import (
    ExpiredLinkError,
    InvalidLinkError,
    SignedAction,
    action_url,
    sign_action,
    verify_action,
)

_PAGE = """<!doctype html><html><head><meta charset="utf-8"><title>{title}</title></head>
<body style="font-family: sans-serif; max-width: 40em; margin: 3em auto">
<h1>{title}</h1><p>{text}</p>{form}</body></html>"""


@dataclass(frozen=True)
class LinkSigning:
    """The secret links are signed with and the address they point at."""

    secret: str
    public_url: str
    console_url: str | None = None


class LinkRequest(BaseModel):
    """How long minted links stay valid."""

    valid_for_minutes: int = Field(default=24 * 60, ge=1, le=7 * 24 * 60)


def actions_router(
    config: EscalatorConfig,
    commands: TicketCommands,
    links: LinkSigning,
    session_factory: async_sessionmaker[AsyncSession],
) -> APIRouter:
    """The link endpoints."""
    router = APIRouter(tags=["one-click actions"])

    @router.get("/v1/actions/{token}", response_class=HTMLResponse)
    async def confirm_page(token: str) -> HTMLResponse:
        action = _verified(links.secret, token)
        form = (
            f'<form method="post"><button type="submit" style="font-size: 1.2em">'
            f"{escape(action.action.capitalize())} ticket</button></form>"
        )
        text = (
            f"{escape(action.person)}: {escape(action.action)} ticket {escape(action.ticket_id)}?"
        )
        return HTMLResponse(_PAGE.format(title="Confirm", text=text, form=form))

    @router.get("/v1/actions/{token}/preview")
    async def preview(token: str) -> dict[str, Any]:
        """What the link would do, to whom, and the ticket it names (for the console's
        confirmation page); changes nothing."""
        action = _verified(links.secret, token)
        async with session_factory() as session:
            ticket = await ticket_store.load_ticket(session, action.ticket_id)
        if ticket is None:
            raise ApiError(404, "ticket_not_found", f"no ticket {action.ticket_id!r}")
        return {
            "action": action.action,
            "person": action.person,
            "expires_at": action.expires_at,
            "ticket": {
                "id": ticket.id,
                "reference": ticket_reference(ticket.number),
                "title": ticket.title,
                "client_id": ticket.client_id,
                "priority": ticket.priority,
                "status": ticket.status,
                "assignee": ticket.assignee,
                "acknowledged_by": ticket.acknowledged_by,
                "opened_at": ticket.opened_at,
                "sla": ticket.sla,
            },
        }

    @router.post("/v1/actions/{token}", response_class=HTMLResponse, response_model=None)
    async def act(token: str, request: Request) -> HTMLResponse | JSONResponse:
        """Carry out the link's action: a page for a browser, JSON when asked for it (the
        console's confirmation page asks)."""
        wants_json = "application/json" in request.headers.get("accept", "")
        action = _verified(links.secret, token)
        actor = Actor(person=action.person, role="technician")
        try:
            if action.action == "acknowledge":
                await commands.acknowledge(action.ticket_id, actor)
            else:
                await commands.resolve(action.ticket_id, actor, "resolved from a one-click link")
        except TicketNotFoundError as exc:
            raise ApiError(404, "ticket_not_found", f"no ticket {action.ticket_id!r}") from exc
        except TransitionRefusedError as exc:
            if wants_json:
                raise ApiError(409, "conflict", str(exc)) from exc
            return HTMLResponse(
                _PAGE.format(title="Nothing to do", text=escape(str(exc)), form=""), status_code=409
            )
        if wants_json:
            done_json = {"status": "done", "action": action.action, "ticket_id": action.ticket_id}
            return JSONResponse(done_json)
        done = f"Ticket {escape(action.ticket_id)}: {escape(action.action)} recorded."
        return HTMLResponse(_PAGE.format(title="Done", text=done, form=""))

    @router.post("/v1/tickets/{ticket_id}/links")
    async def mint_links(
        ticket_id: str, request: Request, body: LinkRequest | None = None
    ) -> dict[str, Any]:
        staff = await working_on(config, request, session_factory, ticket_id)
        minutes = body.valid_for_minutes if body else LinkRequest().valid_for_minutes
        expires_at = utc_now() + timedelta(minutes=minutes)
        minted = {
            verb: action_url(
                links.public_url,
                links.console_url,
                sign_action(links.secret, SignedAction(ticket_id, verb, staff.person, expires_at)),
            )
            for verb in ("acknowledge", "resolve")
        }
        return {"expires_at": expires_at, **minted}

    return router


def _verified(secret: str, token: str) -> SignedAction:
    try:
        return verify_action(secret, token, utc_now())
    except ExpiredLinkError as exc:
        raise ApiError(410, "link_expired", str(exc)) from exc
    except InvalidLinkError as exc:
        raise ApiError(403, "invalid_link", str(exc)) from exc
