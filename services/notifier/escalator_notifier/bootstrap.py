"""Notifier's composition root."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI

from escalator_notifier.delivery_worker import DeliveryWorker
from escalator_notifier.notification_handlers import NotificationHandlers
from escalator_notifier.settings import NotifierSettings
from escalator_shared.config import EscalatorConfig
from escalator_shared.http.app import service_app
from escalator_shared.observability.metrics import ServiceMetrics
from escalator_shared.runtime import ServiceRuntime
from escalator_shared.smtp import SmtpEmailSender

MIGRATIONS = Path(__file__).parent / "migrations"


def create_app(settings: NotifierSettings, config: EscalatorConfig) -> FastAPI:
    """Wire the notifier: a consumer of routing and SLA events, and the delivery worker."""
    runtime = ServiceRuntime(settings, ServiceMetrics.create(settings.service_name), MIGRATIONS)
    topics = runtime.topics
    runtime.add_consumer(
        "alerts",
        [topics.routing, topics.sla, topics.notifications],
        NotificationHandlers(config).registry(),
    )
    email = SmtpEmailSender.from_settings(settings)
    worker = DeliveryWorker(
        runtime.unit_of_work,
        email,
        poll_seconds=settings.delivery_poll_seconds,
        max_attempts=settings.delivery_max_attempts,
    )
    runtime.add_task("delivery-worker", worker.loop.run, worker.loop.stop)
    return service_app(runtime, [], title="Escalator notifier")
