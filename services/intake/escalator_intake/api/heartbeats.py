"""POST /v1/heartbeats/{integration}: a sign of life from a sender that expects to be watched."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from escalator_intake.alert_intake import AlertIntake
from escalator_intake.heartbeats import HeartbeatMonitor
from escalator_shared.http.auth import presented_token
from escalator_shared.http.errors import ApiError


def heartbeat_router(intake: AlertIntake, monitor: HeartbeatMonitor) -> APIRouter:
    """The heartbeat endpoint."""
    router = APIRouter(tags=["intake"])

    @router.post("/v1/heartbeats/{integration_id}")
    async def heartbeat(integration_id: str, request: Request) -> JSONResponse:
        integration = intake.integration(integration_id)
        intake.authenticate(integration, presented_token(request), None)
        if not monitor.expects(integration_id):
            raise ApiError(
                404,
                "no_heartbeat",
                f"integration {integration_id!r} has no heartbeat_every in the configuration",
            )
        try:
            next_expected = await monitor.beat(integration_id)
        except LookupError as exc:
            raise ApiError(
                503,
                "heartbeat_not_registered",
                "the heartbeat is not registered yet; retry in a moment",
                headers={"Retry-After": "5"},
            ) from exc
        return JSONResponse({"status": "ok", "next_expected_by": next_expected.isoformat()})

    return router
