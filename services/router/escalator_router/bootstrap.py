"""Router's composition root."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI

from escalator_router.handlers import RouterHandlers
from escalator_router.settings import RouterSettings
from escalator_shared.config import EscalatorConfig
from escalator_shared.http.app import service_app
from escalator_shared.observability.metrics import ServiceMetrics
from escalator_shared.runtime import ServiceRuntime

MIGRATIONS = Path(__file__).parent / "migrations"


def create_app(settings: RouterSettings, config: EscalatorConfig) -> FastAPI:
    """Wire the router: a consumer of new tickets."""
    runtime = ServiceRuntime(settings, ServiceMetrics.create(settings.service_name), MIGRATIONS)
    runtime.add_consumer("tickets", [runtime.topics.tickets], RouterHandlers(config).registry())
    return service_app(runtime, [], title="Escalator router")
