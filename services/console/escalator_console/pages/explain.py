"""Explain: what would happen to an alert (the router's POST /v1/explain) as a timeline."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request, Response

from escalator_console.backends import Backends
from escalator_console.pages.forms import Form, form_of
from escalator_console.pages.identity import Identities, viewer_of
from escalator_console.pages.rendering import Pages
from escalator_shared.config import EscalatorConfig
from escalator_shared.events import Severity


def explain_routes(
    config: EscalatorConfig, pages: Pages, identities: Identities, backends: Backends
) -> APIRouter:
    """GET and POST /explain."""
    router = APIRouter()
    clients = {c.id: c.name for c in config.clients}
    people = {p.id: p.name for p in config.people}
    severities = [s.value for s in Severity]

    def context_for(me: Any, form: dict[str, str], **values: Any) -> dict[str, Any]:
        shown = {k: v for k, v in clients.items() if me.clients is None or k in me.clients}
        return identities.context(
            me, clients=shown, severities=severities, form=form, people=people, **values
        )

    @router.get("/explain")
    async def explain_form(request: Request) -> Response:
        me = await identities.me(request)
        blank = {"client": "", "title": "", "severity": "major", "labels": "", "error_codes": ""}
        return pages.render(
            request, "explain.html", context_for(me, blank, answer=None, problem=None)
        )

    @router.post("/explain")
    async def explain(request: Request) -> Response:
        me = await identities.me(request)
        form = await form_of(request)
        alert, problem = alert_of(form)
        echoed = {k: form.get(k) for k in ("client", "title", "severity", "labels", "error_codes")}
        if problem is not None:
            context = context_for(me, echoed, answer=None, problem=problem)
            return pages.render(request, "explain.html", context, status=422)
        answer = await backends.post(
            "router", "/v1/explain", viewer_of(request, form.get("csrf_token")), {"alert": alert}
        )
        context = context_for(
            me,
            echoed,
            answer=answer.body if answer.ok else None,
            problem=None if answer.ok else answer.message,
        )
        return pages.render(
            request, "explain.html", context, status=200 if answer.ok else answer.status
        )

    return router


def alert_of(form: Form) -> tuple[dict[str, Any], str | None]:
    """The alert the form describes, or what is wrong with it. Labels are `key=value` lines;
    error codes are separated by commas or spaces."""
    labels: dict[str, str] = {}
    for number, line in enumerate(form.get("labels").splitlines(), start=1):
        if not line.strip():
            continue
        key, sep, value = line.partition("=")
        if not sep or not key.strip():
            return {}, f"labels line {number}: write it as key=value"
        labels[key.strip()] = value.strip()
    codes = form.get("error_codes").replace(",", " ").split()
    alert = {
        "client": form.get("client"),
        "title": form.get("title"),
        "severity": form.get("severity") or "warning",
        "labels": labels,
        "error_codes": codes,
    }
    if not alert["client"]:
        return alert, "choose a client"
    if not alert["title"]:
        return alert, "give the alert a title"
    return alert, None
