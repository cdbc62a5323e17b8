"""Vendor gateway's composition root."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from prometheus_client import Gauge

from escalator_shared.config import EscalatorConfig
from escalator_shared.events import utc_now
from escalator_shared.http.app import service_app
from escalator_shared.observability.metrics import ServiceMetrics
from escalator_shared.runtime import ServiceRuntime
from escalator_vendor_gateway.case_handlers import CASE_HANDLERS
from escalator_vendor_gateway.cases_api import cases_router
from escalator_vendor_gateway.directory_api import directory_router
from escalator_vendor_gateway.settings import VendorGatewaySettings

MIGRATIONS = Path(__file__).parent / "migrations"


def create_app(settings: VendorGatewaySettings, config: EscalatorConfig) -> FastAPI:
    """Wire the vendor gateway: a consumer of vendor case requests, the case listing and the
    vendor directory."""
    metrics = ServiceMetrics.create(settings.service_name)
    runtime = ServiceRuntime(settings, metrics, MIGRATIONS)
    runtime.add_consumer("cases", [runtime.topics.vendor], CASE_HANDLERS)
    review_due = Gauge(
        "escalator_vendor_directory_review_due",
        "Vendor entries not reviewed within vendor_review_every (as of startup).",
        registry=metrics.registry,
    )
    today = utc_now().date()
    review_due.set(sum(v.review_due(today, config.vendor_review_every) for v in config.vendors))
    routers = [cases_router(runtime.session_factory), directory_router(config)]
    return service_app(runtime, routers, title="Escalator vendor gateway")
