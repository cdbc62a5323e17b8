"""Vendor gateway's composition root."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI

from escalator_shared.config import EscalatorConfig
from escalator_shared.http.app import service_app
from escalator_shared.observability.metrics import ServiceMetrics
from escalator_shared.runtime import ServiceRuntime
from escalator_vendor_gateway.case_handlers import CASE_HANDLERS
from escalator_vendor_gateway.cases_api import cases_router
from escalator_vendor_gateway.settings import VendorGatewaySettings

MIGRATIONS = Path(__file__).parent / "migrations"


def create_app(settings: VendorGatewaySettings, _config: EscalatorConfig) -> FastAPI:
    """Wire the vendor gateway: a consumer of vendor case requests and a listing."""
    runtime = ServiceRuntime(settings, ServiceMetrics.create(settings.service_name), MIGRATIONS)
    runtime.add_consumer("cases", [runtime.topics.vendor], CASE_HANDLERS)
    return service_app(
        runtime, [cases_router(runtime.session_factory)], title="Escalator vendor gateway"
    )
