"""The ticket page's buttons: each posts its form here, which calls the service that owns the
action as the signed-in person and returns to the ticket with what happened."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from urllib.parse import quote, urlencode

from fastapi import APIRouter, Request, Response
from fastapi.responses import RedirectResponse

from escalator_console.backends import Answer, Backends, Viewer, segment
from escalator_console.pages.forms import Form, form_of
from escalator_console.pages.identity import viewer_of
from escalator_console.pages.rendering import PageError

# The action's name in the URL, and what the page says once it is done.
ACTIONS = {
    "acknowledge": "Acknowledged.",
    "resolve": "Resolved.",
    "reopen": "Reopened.",
    "hold": "Put on hold.",
    "resume": "Back in progress.",
    "escalate": "Escalation requested: the next step is being paged.",
    "priority": "Priority changed.",
    "note": "Note added.",
    "engage-vendor": "Vendor engaged: the case is being opened.",
    "vendor-data": "Data sent to the vendor case.",
    "phone-case": "Case number recorded.",
}
HOLD_REASONS = {
    "awaiting_customer": "Awaiting the customer",
    "awaiting_vendor": "Awaiting the vendor",
    "awaiting_change": "Awaiting a change window",
}
LEVELS = ("high", "medium", "low")

Act = Callable[[Backends, Viewer, str, Form], Awaitable[Answer]]


def _intake(path: str, body: Callable[[Form], dict[str, object]]) -> Act:
    async def act(backends: Backends, viewer: Viewer, ticket_id: str, form: Form) -> Answer:
        return await backends.post(
            "intake", f"/v1/tickets/{segment(ticket_id)}/{path}", viewer, body(form)
        )

    return act


async def _engage(backends: Backends, viewer: Viewer, ticket_id: str, form: Form) -> Answer:
    body = {"vendor": form.get("vendor"), "note": form.get("note")}
    return await backends.post(
        "vendor-gateway", f"/v1/tickets/{segment(ticket_id)}/vendor-cases", viewer, body
    )


async def _vendor_data(backends: Backends, viewer: Viewer, ticket_id: str, form: Form) -> Answer:
    path = f"/v1/vendor-cases/{segment(ticket_id)}/{segment(form.get('vendor'))}/data"
    return await backends.post("vendor-gateway", path, viewer, {"values": form.pairs("values")})


async def _phone_case(backends: Backends, viewer: Viewer, ticket_id: str, form: Form) -> Answer:
    path = f"/v1/vendor-cases/{segment(ticket_id)}/{segment(form.get('vendor'))}/opened"
    body = {"case_reference": form.get("case_reference")}
    return await backends.post("vendor-gateway", path, viewer, body)


_ACTS: dict[str, Act] = {
    "acknowledge": _intake("acknowledge", lambda f: {}),
    "resolve": _intake("resolve", lambda f: {"resolution": f.get("resolution")}),
    "reopen": _intake("reopen", lambda f: {"reason": f.get("reason")}),
    "hold": _intake("status", lambda f: {"status": "on_hold", "hold_reason": f.get("hold_reason")}),
    "resume": _intake("status", lambda f: {"status": "in_progress"}),
    "escalate": _intake("escalate", lambda f: {"reason": f.get("reason")}),
    "priority": _intake(
        "priority", lambda f: {"impact": f.get("impact"), "urgency": f.get("urgency")}
    ),
    "note": _intake(
        "notes",
        lambda f: {"text": f.get("text"), "customer_visible": f.checked("customer_visible")},
    ),
    "engage-vendor": _engage,
    "vendor-data": _vendor_data,
    "phone-case": _phone_case,
}


def ticket_action_routes(backends: Backends) -> APIRouter:
    """POST /tickets/{id}/{action}: 303 back to the ticket saying what happened."""
    router = APIRouter()

    @router.post("/tickets/{ticket_id}/{action}")
    async def act(request: Request, ticket_id: str, action: str) -> Response:
        perform = _ACTS.get(action)
        if perform is None:
            raise PageError(404, "Not found", f"There is no action {action!r}.")
        form = await form_of(request)
        answer = await perform(
            backends, viewer_of(request, form.get("csrf_token")), ticket_id, form
        )
        if answer.status == 401:
            return RedirectResponse("/sign-in?next=" + quote(f"/tickets/{ticket_id}"), 303)
        outcome = {"done": action} if answer.ok else {"problem": answer.message}
        return RedirectResponse(f"/tickets/{ticket_id}?{urlencode(outcome)}", status_code=303)

    return router
