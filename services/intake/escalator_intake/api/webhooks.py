"""POST /v1/webhooks/{integration} and the PagerDuty-compatible POST /v2/enqueue."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from escalator_intake.alert_intake import AlertIntake, parse_json
from escalator_intake.api.answers import accepted_body
from escalator_shared.http.auth import presented_token
from escalator_shared.http.errors import ApiError


def webhook_router(intake: AlertIntake, max_body_bytes: int) -> APIRouter:
    """The webhook endpoints, bound to the intake service."""
    router = APIRouter(tags=["intake"])

    @router.post("/v1/webhooks/{integration_id}", status_code=202)
    async def receive_alerts(integration_id: str, request: Request) -> JSONResponse:
        integration = intake.integration(integration_id)
        raw = await read_body(request, intake.body_limit(integration))
        accepted = await intake.receive(integration, raw, presented_token(request), request.headers)
        return JSONResponse(accepted_body(accepted), status_code=202)

    @router.post("/v2/enqueue", status_code=202)
    async def pagerduty_enqueue(request: Request) -> JSONResponse:
        raw = await read_body(request, max_body_bytes)
        payload = parse_json(raw)
        routing_key = payload.get("routing_key") if isinstance(payload, dict) else None
        if not isinstance(routing_key, str) or not routing_key:
            raise ApiError(400, "invalid_event", "routing_key: required field is missing")
        integration = intake.by_routing_key(routing_key)
        # The routing key is the integration's token: the same path as every other sender.
        try:
            accepted = await intake.receive(integration, raw, routing_key, request.headers)
        except ApiError as exc:
            if exc.status != 422:
                raise
            # PagerDuty answers invalid events with 400 and this shape; its clients expect it.
            return JSONResponse(
                {
                    "status": "invalid event",
                    "message": "Event object is invalid",
                    "errors": [exc.message],
                    **exc.extra,
                },
                status_code=400,
            )
        return JSONResponse(
            {
                "status": "success",
                "message": "Event processed",
                "dedup_key": accepted[0].dedup_key if accepted else None,
            },
            status_code=202,
        )

    return router


async def read_body(request: Request, limit: int) -> bytes:
    """The raw body, or 413 once it passes `limit` bytes."""
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > limit:
        raise ApiError(413, "body_too_large", f"the body is over the {limit}-byte limit")
    raw = bytearray()
    async for chunk in request.stream():
        raw.extend(chunk)
        if len(raw) > limit:
            raise ApiError(413, "body_too_large", f"the body is over the {limit}-byte limit")
    return bytes(raw)
