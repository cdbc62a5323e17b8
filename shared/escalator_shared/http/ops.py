"""Operational endpoints every service serves: /healthz, /readyz, /metrics; and HTTP metrics."""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable

from fastapi import APIRouter, Response
from fastapi.responses import JSONResponse
from prometheus_client import CONTENT_TYPE_LATEST, Counter, Histogram, generate_latest
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
        # prometheus_client checks label values on every `labels()` call: a tenth of the CPU of
        # a single alert's request. Route templates and statuses are few, so keep the children.
        self._counters: dict[tuple[str, int], Counter] = {}
        self._timers: dict[str, Histogram] = {}

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
            template = getattr(scope.get("route"), "path", "unmatched")
            self._counter(template, status).inc()
            self._timer(template).observe(time.perf_counter() - started)

    def _counter(self, template: str, status: int) -> Counter:
        counter = self._counters.get((template, status))
        if counter is None:
            counter = self._metrics.http_requests.labels(
                self._metrics.service, template, str(status)
            )
            self._counters[(template, status)] = counter
        return counter

    def _timer(self, template: str) -> Histogram:
        timer = self._timers.get(template)
        if timer is None:
            timer = self._metrics.http_request_seconds.labels(self._metrics.service, template)
            self._timers[template] = timer
        return timer
