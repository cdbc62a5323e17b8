"""POST /v1/webhooks/{integration} and the PagerDuty-compatible POST /v2/enqueue.

Senders call these thousands of times a second in a storm, so they are direct routes, served
ahead of FastAPI's routing (`escalator_shared.http.direct_routes`).
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from escalator_intake.alert_intake import AlertIntake, parse_json
from escalator_intake.api.answers import accepted_body
from escalator_shared.http.auth import presented_token
from escalator_shared.http.direct_routes import DirectRoute
from escalator_shared.http.errors import ApiError


def webhook_routes(intake: AlertIntake, max_body_bytes: int) -> list[DirectRoute]:
    """The webhook endpoints, bound to the intake service."""

    async def receive_alerts(request: Request) -> Response:
        integration = intake.integration(request.path_params["integration_id"])
        raw = await read_body(request, intake.body_limit(integration))
        accepted = await intake.receive(integration, raw, presented_token(request), request.headers)
        return JSONResponse(accepted_body(accepted), status_code=202)

    async def pagerduty_enqueue(request: Request) -> Response:
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

    return [
        DirectRoute("POST", "/v1/webhooks/{integration_id}", receive_alerts),
        DirectRoute("POST", "/v2/enqueue", pagerduty_enqueue),
    ]


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
