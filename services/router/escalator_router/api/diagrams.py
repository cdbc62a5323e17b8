"""`GET /v1/clients/{client_id}/escalation-diagram`: the client's escalation path as Mermaid."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import PlainTextResponse

from escalator_router.domain.diagram import client_diagram
from escalator_shared.access import Permission
from escalator_shared.config import EscalatorConfig
from escalator_shared.http.auth import authorize
from escalator_shared.http.errors import ApiError


def diagrams_router(config: EscalatorConfig) -> APIRouter:
    """The diagram endpoint (staff; another client's diagram is a 404 to a scoped caller)."""
    api = APIRouter()
    known = {client.id for client in config.clients}

    @api.get("/v1/clients/{client_id}/escalation-diagram", response_class=PlainTextResponse)
    async def escalation_diagram(client_id: str, request: Request) -> PlainTextResponse:
        """Mermaid flowchart text: rules in order, then each escalation policy's steps."""
        principal = authorize(config, request, Permission.READ_INTERNAL)
        if client_id not in known or not principal.sees(client_id):
            raise ApiError(404, "unknown_client", f"no client {client_id!r}")
        return PlainTextResponse(client_diagram(config, client_id), media_type="text/vnd.mermaid")

    return api
