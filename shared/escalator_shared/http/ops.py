"""Operational endpoints every service serves: /healthz, /readyz, /metrics; and HTTP metrics."""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable

from fastapi import APIRouter, Response
from fastapi.responses import JSONResponse
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from escalator_shared.observability.metrics import ServiceMetrics

ReadinessCheck = Callable[[], Awaitable[dict[str, str]]]


def ops_router(metrics: ServiceMetrics, readiness: ReadinessCheck) -> APIRouter:
    """Liveness, readiness (database, Kafka, background tasks) and Prometheus exposition."""
    router = APIRouter(tags=["operations"])

    @router.get("/healthz")
    async def healthz() -> dict[str, str]:
        return {"status": "ok", "service": metrics.service}

    @router.get("/readyz")
    async def readyz() -> JSONResponse:
        report = await readiness()
        ready = all(state == "ok" for state in report.values())
        return JSONResponse(
            {"status": "ready" if ready else "not ready", "checks": report},
            status_code=200 if ready else 503,
        )

    @router.get("/metrics")
    async def prometheus_metrics() -> Response:
        return Response(generate_latest(metrics.registry), media_type=CONTENT_TYPE_LATEST)

    return router


class HttpMetricsMiddleware:
    """Counts requests and their latency by route template (never by raw path)."""

    def __init__(self, app: ASGIApp, metrics: ServiceMetrics) -> None:
        self._app = app
        self._metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Pass the request on and record its outcome."""
        if scope["type"] != "http":
            await self._app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500

        async def send_and_record(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self._app(scope, receive, send_and_record)
        finally:
            route = scope.get("route")
            template = getattr(route, "path", "unmatched")
            service = self._metrics.service
            self._metrics.http_requests.labels(service, template, str(status)).inc()
            self._metrics.http_request_seconds.labels(service, template).observe(
                time.perf_counter() - started
            )
