"""Router's composition root."""

from __future__ import annotations

from pathlib import Path

from starlette.types import ASGIApp

from escalator_router.api.diagrams import diagrams_router
from escalator_router.api.explain import explain_router
from escalator_router.api.schedules import schedules_router
from escalator_router.chain_keeper import ChainKeeper
from escalator_router.domain.router import Router
from escalator_router.escalation_handlers import TicketLifeHandlers, TriggerHandlers
from escalator_router.escalation_metrics import EscalationMetrics
from escalator_router.escalation_timer import EscalationTimer
from escalator_router.outage_detector import OutageDetector
from escalator_router.priority_handlers import PriorityHandlers
from escalator_router.routing_handlers import RoutingHandlers
from escalator_router.settings import RouterSettings
from escalator_shared.config import EscalatorConfig
from escalator_shared.events import TicketOpened
from escalator_shared.http.app import service_app
from escalator_shared.observability.metrics import ServiceMetrics
from escalator_shared.runtime import ServiceRuntime

MIGRATIONS = Path(__file__).parent / "migrations"


def create_app(settings: RouterSettings, config: EscalatorConfig) -> ASGIApp:
    """Wire the router: ticket and trigger consumers, the escalation timer, the HTTP API."""
    metrics = ServiceMetrics.create(settings.service_name)
    runtime = ServiceRuntime(settings, metrics, MIGRATIONS)
    runtime.follow_issued_tokens(config.access.issued)
    router = Router(config)
    escalation_metrics = EscalationMetrics.create(metrics.registry)
    keeper = ChainKeeper(router.directory, escalation_metrics)
    outages = OutageDetector(config.major_outage, router.directory, escalation_metrics)
    routing = RoutingHandlers(router, keeper, outages, escalation_metrics)
    life = TicketLifeHandlers(keeper)
    runtime.add_consumer(
        "tickets",
        [runtime.topics.tickets],
        {
            TicketOpened: [routing.handler()],
            **life.registry(),
            **PriorityHandlers(router, keeper, outages).registry(),
        },
    )
    runtime.add_consumer(
        "triggers", [runtime.topics.routing, runtime.topics.sla], TriggerHandlers(keeper).registry()
    )
    timer = EscalationTimer(
        runtime.unit_of_work,
        keeper,
        poll_seconds=settings.escalation_poll_seconds,
        batch_size=settings.escalation_batch_size,
    )
    runtime.add_task("escalation-timer", timer.loop.run, timer.loop.stop)
    apis = [
        explain_router(config, router, runtime.session_factory),
        diagrams_router(config),
        schedules_router(config, router.directory),
    ]
    return service_app(runtime, apis, title="Escalator router")
