"""`GET /v1/clients/{client_id}/escalation-diagram`: the client's escalation path as Mermaid, or
as Graphviz DOT with `?format=dot`."""

from __future__ import annotations

from collections.abc import Callable

from fastapi import APIRouter, Request
from fastapi.responses import PlainTextResponse

from escalator_router.domain.diagram import client_diagram
from escalator_router.domain.diagram_dot import client_diagram_dot
from escalator_shared.access import Permission
from escalator_shared.config import EscalatorConfig
from escalator_shared.http.auth import authorize
from escalator_shared.http.errors import ApiError

# Each format's renderer and media type.
FORMATS: dict[str, tuple[Callable[[EscalatorConfig, str], str], str]] = {
    "mermaid": (client_diagram, "text/vnd.mermaid"),
    "dot": (client_diagram_dot, "text/vnd.graphviz"),
}


def diagrams_router(config: EscalatorConfig) -> APIRouter:
    """The diagram endpoint (staff; another client's diagram is a 404 to a scoped caller)."""
    api = APIRouter()
    known = {client.id for client in config.clients}

    @api.get("/v1/clients/{client_id}/escalation-diagram", response_class=PlainTextResponse)
    async def escalation_diagram(
        client_id: str, request: Request, format: str = "mermaid"
    ) -> PlainTextResponse:
        """Rules in order, then each escalation policy's steps, as Mermaid (default) or DOT."""
        principal = authorize(config, request, Permission.READ_INTERNAL)
        if client_id not in known or not principal.sees(client_id):
            raise ApiError(404, "unknown_client", f"no client {client_id!r}")
        if format not in FORMATS:
            raise ApiError(
                422, "unknown_format", f"no diagram format {format!r}; use {', '.join(FORMATS)}"
            )
        render, media_type = FORMATS[format]
        return PlainTextResponse(render(config, client_id), media_type=media_type)

    return api
