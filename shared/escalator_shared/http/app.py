"""Building and serving a service's HTTP app (FastAPI) the same way in every service."""

from __future__ import annotations

import socket
import sys
from collections.abc import Callable, Sequence
from typing import TypeVar

import uvicorn
from fastapi import APIRouter, FastAPI
from fastapi.telemetry import TelemetryConfig
from pydantic import ValidationError
from starlette.types import ASGIApp

from escalator_shared.config import ConfigError, EscalatorConfig, HashedToken, load_config
from escalator_shared.http.audit_trail import AuditTrail
from escalator_shared.http.development_tokens import DEVELOPMENT_TOKEN_DIGESTS
from escalator_shared.http.direct_routes import DirectRoute, DirectRoutes
from escalator_shared.http.errors import install_error_handlers
from escalator_shared.http.json_body import JsonDepthLimit
from escalator_shared.http.ops import HttpMetricsMiddleware, ops_router
from escalator_shared.http.url_guard import UrlGuard
from escalator_shared.observability.logging import configure_logging
from escalator_shared.runtime import ServiceRuntime
from escalator_shared.settings import ServiceSettings

_NO_OPENTELEMETRY: TelemetryConfig = {
    "tracing": False,
    "metrics": False,
    "logs": False,
    "operation_spans": False,
}


def service_app(
    runtime: ServiceRuntime,
    routers: Sequence[APIRouter],
    title: str,
    direct_routes: Sequence[DirectRoute] = (),
) -> ASGIApp:
    """A FastAPI app with the runtime's lifespan, ops endpoints, JSON errors, HTTP metrics, the
    audit trail (`audit_trail.py`) and a depth limit on JSON bodies (`json_body.py`).

    `direct_routes` are answered ahead of FastAPI (`direct_routes.py`); the HTTP metrics count
    them and every other route alike.
    """
    # Our metrics are Prometheus's (`/metrics`); FastAPI's built-in OpenTelemetry hooks would
    # only cost a provider lookup on every request.
    app = FastAPI(title=title, lifespan=runtime.lifespan, telemetry=_NO_OPENTELEMETRY)
    install_error_handlers(app)
    app.include_router(ops_router(runtime.metrics, runtime.readiness))
    for router in routers:
        app.include_router(router)
    # Direct routes read their bodies themselves (`json_body.parse_json`); FastAPI's routes get
    # their JSON bodies checked for depth before FastAPI parses them.
    inner: ASGIApp = JsonDepthLimit(app)
    if direct_routes:
        inner = DirectRoutes(inner, direct_routes)
    audited = AuditTrail(UrlGuard(inner), runtime.settings.service_name, runtime.unit_of_work)
    return HttpMetricsMiddleware(audited, metrics=runtime.metrics)


def load_checked_config(settings: ServiceSettings) -> EscalatorConfig:
    """The configuration file, refusing plaintext and development tokens in production."""
    config = load_config(settings.config)
    if settings.environment == "production":
        problems = production_secret_problems(config)
        if problems:
            raise ConfigError(settings.config, problems)
    return config


def production_secret_problems(config: EscalatorConfig) -> list[str]:
    """Tokens given in plain text (store `token_sha256`) or the documented development ones,
    and single sign-on over plain HTTP."""
    holders: list[tuple[str, HashedToken]] = [
        (f"integrations {i.id}", i) for i in config.integrations
    ]
    holders += [(f"api_tokens {t.name}", t) for t in config.api_tokens]
    problems = []
    for name, holder in holders:
        if holder.token is not None:
            problems.append(
                f"{name}: a plaintext token is refused in production; store token_sha256"
            )
        elif holder.digest in DEVELOPMENT_TOKEN_DIGESTS:
            problems.append(f"{name}: a documented development token is refused in production")
    sso = config.single_sign_on
    if sso is not None:
        for field, url in (("issuer", sso.issuer), ("redirect_uri", sso.redirect_uri)):
            if url is not None and not url.startswith("https://"):
                problems.append(f"single_sign_on.{field}: must be https in production")
    return problems


_Settings = TypeVar("_Settings", bound=ServiceSettings)


def serve(
    settings_class: type[_Settings], build: Callable[[_Settings, EscalatorConfig], ASGIApp]
) -> None:
    """Read settings and configuration, then run the app under uvicorn; exit 2 on either error."""
    try:
        settings = settings_class()
    except ValidationError as exc:
        problems = "; ".join(
            f"ESCALATOR_{'_'.join(str(p) for p in e['loc']).upper() or '(settings)'}: {e['msg']}"
            for e in exc.errors()
        )
        print(f"invalid settings: {problems}", file=sys.stderr)  # noqa: T201
        raise SystemExit(2) from exc
    configure_logging(settings.service_name, settings.log_level)
    try:
        config = load_checked_config(settings)
    except ConfigError as exc:
        print(f"{settings.service_name}: {exc}", file=sys.stderr)  # noqa: T201
        raise SystemExit(2) from exc
    app = build(settings, config)
    sockets = [_reuse_port_socket(settings)] if settings.http_reuse_port else None
    run_server(app, settings.http_host, settings.http_port, sockets=sockets)


def run_server(
    app: ASGIApp,
    host: str,
    port: int,
    sockets: list[socket.socket] | None = None,
    grace_seconds: float = 20,
) -> None:
    """Serve the app under uvicorn (uvloop, httptools, our JSON logs, no access log) until
    SIGTERM, then finish requests in flight for up to `grace_seconds`."""
    server = uvicorn.Server(
        uvicorn.Config(
            app,
            host=host,
            port=port,
            log_config=None,
            access_log=False,
            loop="uvloop",
            http="httptools",
            timeout_graceful_shutdown=int(grace_seconds),
        )
    )
    server.run(sockets=sockets)


def _reuse_port_socket(settings: ServiceSettings) -> socket.socket:
    """A listening socket that other instances may bind too; the kernel spreads connections."""
    family = socket.AF_INET6 if ":" in settings.http_host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    sock.bind((settings.http_host, settings.http_port))
    sock.listen(2048)
    sock.set_inheritable(True)
    return sock
