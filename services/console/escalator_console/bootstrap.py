"""The console's composition root: backends, pages, routes, error pages, ops endpoints."""

from __future__ import annotations

import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import RedirectResponse
from fastapi.staticfiles import StaticFiles
from pydantic import ValidationError
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp

from escalator_console.backends import Backends, BackendUnavailableError
from escalator_console.pages.escalation import escalation_routes
from escalator_console.pages.explain import explain_routes
from escalator_console.pages.identity import Identities, sign_in_location
from escalator_console.pages.keep_alive import KeepAlive
from escalator_console.pages.on_call import on_call_routes
from escalator_console.pages.one_click import one_click_routes
from escalator_console.pages.queue import QueueReader, queue_routes
from escalator_console.pages.rendering import PageError, Pages, SignInNeededError
from escalator_console.pages.reports import report_routes
from escalator_console.pages.sign_in import sign_in_routes
from escalator_console.pages.ticket import ticket_routes
from escalator_console.pages.ticket_actions import ticket_action_routes
from escalator_console.server_timing import ServerTiming
from escalator_console.settings import ConsoleSettings
from escalator_shared.config import ConfigError, EscalatorConfig, load_config
from escalator_shared.events import utc_now
from escalator_shared.http.app import run_server
from escalator_shared.http.ops import HttpMetricsMiddleware, ops_router
from escalator_shared.observability.logging import configure_logging
from escalator_shared.observability.metrics import ServiceMetrics

STATIC = Path(__file__).parent / "static"


def create_app(settings: ConsoleSettings, config: EscalatorConfig) -> ASGIApp:
    """Wire the console's pages to the services they read and act through."""
    backends = Backends(
        {
            "intake": settings.intake_url,
            "router": settings.router_url,
            "sla-timer": settings.sla_timer_url,
            "vendor-gateway": settings.vendor_gateway_url,
            "notifier": settings.notifier_url,
        },
        settings.backend_timeout_seconds,
    )
    pages = Pages(settings.refresh_seconds)
    identities = Identities(config, backends)
    metrics = ServiceMetrics.create(settings.service_name)
    keep_alive = KeepAlive(backends)

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        yield
        await backends.close()

    async def readiness() -> dict[str, str]:
        # The console serves its pages (and says what is down) even when a service is not
        # answering; it is ready once intake, which signs people in, answers.
        return {"intake": "ok" if await backends.healthy("intake") else "not answering"}

    app = FastAPI(title="Escalator console", lifespan=lifespan, docs_url=None, redoc_url=None)
    app.include_router(ops_router(metrics, readiness))
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    for routes in (
        sign_in_routes(pages, backends),
        queue_routes(
            config, pages, identities, QueueReader(backends, settings.queue_limit), keep_alive
        ),
        ticket_routes(config, pages, identities, backends, keep_alive),
        ticket_action_routes(backends),
        on_call_routes(config, pages, identities, backends),
        report_routes(config, pages, identities, backends),
        escalation_routes(config, pages, identities, backends, settings.dot_command),
        explain_routes(config, pages, identities, backends),
        one_click_routes(config, pages, backends),
    ):
        app.include_router(routes)
    _install_error_pages(app, pages)
    return HttpMetricsMiddleware(ServerTiming(app), metrics=metrics)


def _install_error_pages(app: FastAPI, pages: Pages) -> None:
    def error_page(request: Request, status: int, title: str, message: str) -> Response:
        context = {"now": utc_now(), "title": title, "message": message, "status": status}
        headers = {"Retry-After": "5"} if status == 503 else None
        return pages.render(request, "error.html", context, status=status, headers=headers)

    @app.exception_handler(SignInNeededError)
    async def sign_in_needed(request: Request, exc: SignInNeededError) -> Response:
        return RedirectResponse(sign_in_location(exc.next_path), status_code=303)

    @app.exception_handler(PageError)
    async def page_error(request: Request, exc: PageError) -> Response:
        return error_page(request, exc.status, exc.title, exc.message)

    @app.exception_handler(BackendUnavailableError)
    async def unavailable(request: Request, exc: BackendUnavailableError) -> Response:
        message = f"{exc}. The page will work again once it is back; try again in a moment."
        return error_page(request, 503, "A service is not answering", message)

    @app.exception_handler(RequestValidationError)
    async def bad_request(request: Request, exc: RequestValidationError) -> Response:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e['loc'][1:])}: {e['msg']}" for e in exc.errors()
        )
        return error_page(request, 422, "That request is not valid", problems)

    @app.exception_handler(HTTPException)
    async def http_error(request: Request, exc: HTTPException) -> Response:
        titles = {404: "Page not found", 405: "Not allowed here"}
        title = titles.get(exc.status_code, "Request refused")
        return error_page(request, exc.status_code, title, str(exc.detail))


def serve() -> None:
    """Read settings and configuration, then run the console under uvicorn (exit 2 on error)."""
    try:
        settings = ConsoleSettings()
    except ValidationError as exc:
        print(f"invalid settings: {exc}", file=sys.stderr)  # noqa: T201
        raise SystemExit(2) from exc
    configure_logging(settings.service_name, settings.log_level)
    try:
        config = load_config(settings.config)
    except ConfigError as exc:
        print(f"console: {exc}", file=sys.stderr)  # noqa: T201
        raise SystemExit(2) from exc
    run_server(
        create_app(settings, config), settings.http_host, settings.http_port, grace_seconds=10
    )
