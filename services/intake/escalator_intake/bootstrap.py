"""Intake's composition root: settings and configuration in, a wired FastAPI app out."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI

from escalator_intake.alert_handlers import AlertHandlers
from escalator_intake.alert_intake import AlertIntake
from escalator_intake.api.actions import actions_router
from escalator_intake.api.heartbeats import heartbeat_router
from escalator_intake.api.rejected import rejected_router
from escalator_intake.api.tickets import tickets_router
from escalator_intake.api.webhooks import webhook_router
from escalator_intake.heartbeats import HeartbeatMonitor
from escalator_intake.rejected_store import RejectedStore
from escalator_intake.settings import IntakeSettings
from escalator_intake.ticket_commands import TicketCommands
from escalator_intake.timeline_handlers import TIMELINE_HANDLERS
from escalator_shared.config import EscalatorConfig
from escalator_shared.events import AlertReceived
from escalator_shared.http.app import service_app
from escalator_shared.observability.metrics import ServiceMetrics
from escalator_shared.runtime import ServiceRuntime

MIGRATIONS = Path(__file__).parent / "migrations"


def create_app(settings: IntakeSettings, config: EscalatorConfig) -> FastAPI:
    """Wire intake: webhooks and ticket API over HTTP; alert and timeline consumers."""
    runtime = ServiceRuntime(settings, ServiceMetrics.create(settings.service_name), MIGRATIONS)
    topics = runtime.topics
    runtime.add_consumer(
        "alerts", [topics.alerts], {AlertReceived: [AlertHandlers(config).on_alert]}
    )
    runtime.add_consumer(
        "timeline",
        [topics.tickets, topics.routing, topics.sla, topics.vendor, topics.notifications],
        TIMELINE_HANDLERS,
    )
    commands = TicketCommands(runtime.unit_of_work)
    rejected = RejectedStore(runtime.session_factory)
    intake = AlertIntake(
        config, runtime.producer, topics, rejected, max_body_bytes=settings.max_body_bytes
    )
    monitor = HeartbeatMonitor(config, runtime.unit_of_work)
    runtime.add_task("heartbeat-monitor", monitor.run, monitor.loop.stop)
    secret = settings.link_signing_secret.get_secret_value()
    routers = [
        webhook_router(intake, settings.max_body_bytes),
        heartbeat_router(intake, monitor),
        rejected_router(config, rejected, intake),
        tickets_router(config, runtime.session_factory, commands),
        actions_router(config, commands, secret, settings.public_url),
    ]
    return service_app(runtime, routers, title="Escalator intake")
