"""`POST /v1/drills`: rehearse a client's escalation chain with a synthetic, marked ticket."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field

from escalator_intake.alert_intake import AlertIntake
from escalator_shared.access import Permission
from escalator_shared.config import EscalatorConfig
from escalator_shared.events import Severity
from escalator_shared.http.auth import authorize, hidden
from escalator_shared.http.errors import ApiError
from escalator_shared.storage_text import StoredText


class DrillRequest(BaseModel):
    """Which client's chain to rehearse, and with what kind of ticket."""

    model_config = ConfigDict(extra="forbid")

    client: str = Field(min_length=1)
    title: StoredText = Field(default="Escalation drill", min_length=1, max_length=900)
    severity: Severity = Severity.MAJOR
    labels: dict[StoredText, StoredText] = Field(
        default_factory=dict, description="To take a particular rule's path, e.g. service=m365."
    )


def drills_router(config: EscalatorConfig, intake: AlertIntake) -> APIRouter:
    """The drill endpoint (managers and admins)."""
    router = APIRouter(tags=["operations"])

    @router.post("/v1/drills", status_code=202)
    async def start_drill(body: DrillRequest, request: Request) -> JSONResponse:
        """Open a drill ticket: routed and escalated like a real one; no vendor case."""
        staff = authorize(config, request, Permission.MANAGE)
        hidden(staff, body.client, ApiError(422, "unknown_client", f"no client {body.client!r}"))
        accepted = await intake.drill(
            body.client, body.title, body.severity, body.labels, staff.person
        )
        answer: dict[str, Any] = {
            "status": "accepted",
            "ticket_id": accepted.alert_id,
            "client_id": accepted.client_id,
            "drill": True,
        }
        return JSONResponse(answer, status_code=202)

    return router
