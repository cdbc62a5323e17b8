"""Rejected requests for operators: list, inspect, replay (managers and admins)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse

from escalator_intake.alert_intake import AlertIntake
from escalator_intake.api.answers import accepted_body
from escalator_intake.rejected_store import RejectedStore
from escalator_shared.access import Permission
from escalator_shared.config import EscalatorConfig
from escalator_shared.http.auth import authorize
from escalator_shared.http.errors import ApiError


def rejected_router(
    config: EscalatorConfig, store: RejectedStore, intake: AlertIntake
) -> APIRouter:
    """The rejected-request endpoints."""
    router = APIRouter(tags=["operations"])

    def require_operator(request: Request) -> None:
        # A refused request may belong to no client at all, so only managers who see every
        # client read them.
        principal = authorize(config, request, Permission.MANAGE)
        if principal.clients is not None:
            raise ApiError(
                403, "forbidden", "rejected requests are for managers who see every client"
            )

    @router.get("/v1/rejected")
    async def list_rejected(
        request: Request,
        integration: str | None = None,
        limit: Annotated[int, Query(ge=1, le=500)] = 50,
    ) -> dict[str, Any]:
        require_operator(request)
        return {"rejected": await store.list(integration, limit)}

    @router.get("/v1/rejected/{rejected_id}")
    async def show_rejected(rejected_id: str, request: Request) -> dict[str, Any]:
        require_operator(request)
        kept = await store.get(rejected_id)
        if kept is None:
            raise ApiError(404, "not_found", f"no rejected request {rejected_id!r}")
        body: bytes = kept.pop("body")
        kept["body"] = body.decode("utf-8", errors="replace")
        return kept

    @router.post("/v1/rejected/{rejected_id}/replay", status_code=202)
    async def replay(rejected_id: str, request: Request) -> JSONResponse:
        require_operator(request)
        return JSONResponse(accepted_body(await intake.replay(rejected_id)), status_code=202)

    return router
