"""POST /v1/webhooks/{integration}: validate, make durable on Kafka, answer 202."""

from __future__ import annotations

import json
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from pydantic import ValidationError

from escalator_intake.api.auth import authenticate_integration
from escalator_intake.domain.generic_alert import GenericAlert, to_alert_received
from escalator_shared.bus.producer import EventProducer
from escalator_shared.config import EscalatorConfig, format_path
from escalator_shared.events import Envelope, Topics, new_id, utc_now
from escalator_shared.http.errors import ApiError


def webhook_router(
    config: EscalatorConfig, producer: EventProducer, topics: Topics, max_body_bytes: int
) -> APIRouter:
    """The webhook endpoint, bound to its collaborators."""
    router = APIRouter(tags=["intake"])

    @router.post("/v1/webhooks/{integration_id}", status_code=202)
    async def receive_alert(integration_id: str, request: Request) -> JSONResponse:
        integration = authenticate_integration(config, integration_id, request)
        body = await _read_json(request, max_body_bytes)
        try:
            alert = GenericAlert.model_validate(body)
        except ValidationError as exc:
            raise _invalid(exc) from exc
        alert_id = new_id()
        event = to_alert_received(alert, integration, alert_id, utc_now())
        envelope = Envelope.wrap(
            event, ticket_id=alert_id, client_id=integration.client, producer="intake"
        )
        # Keyed by dedup key: every alert of one condition lands on one partition, in order.
        await producer.send(
            topics.alerts, f"{integration.id}\x1f{event.dedup_key}", envelope.to_bytes()
        )
        return JSONResponse(
            {
                "status": "accepted",
                "ticket_id": alert_id,
                "alert_id": alert_id,
                "dedup_key": event.dedup_key,
            },
            status_code=202,
        )

    return router


async def _read_json(request: Request, limit: int) -> Any:
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > limit:
        raise ApiError(413, "body_too_large", f"the body is over the {limit}-byte limit")
    raw = bytearray()
    async for chunk in request.stream():
        raw.extend(chunk)
        if len(raw) > limit:
            raise ApiError(413, "body_too_large", f"the body is over the {limit}-byte limit")
    if not raw:
        raise ApiError(400, "empty_body", "the body is empty; send a JSON object")
    try:
        return json.loads(raw)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise ApiError(400, "invalid_json", f"the body is not valid JSON: {exc}") from exc


def _invalid(exc: ValidationError) -> ApiError:
    problems = "; ".join(f"{format_path(tuple(e['loc']))}: {e['msg']}" for e in exc.errors())
    return ApiError(422, "invalid_alert", f"the alert is not valid: {problems}")
