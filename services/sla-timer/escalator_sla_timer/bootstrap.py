"""SLA timer's composition root."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI

from escalator_shared.config import EscalatorConfig
from escalator_shared.http.app import service_app
from escalator_shared.observability.metrics import ServiceMetrics
from escalator_shared.runtime import ServiceRuntime
from escalator_sla_timer.breach_timer import BreachTimer
from escalator_sla_timer.clock_handlers import ClockHandlers
from escalator_sla_timer.priority_handlers import PriorityHandlers
from escalator_sla_timer.settings import SlaTimerSettings

MIGRATIONS = Path(__file__).parent / "migrations"


def create_app(settings: SlaTimerSettings, config: EscalatorConfig) -> FastAPI:
    """Wire the SLA timer: consumers of ticket life and routed priorities, the breach timer."""
    runtime = ServiceRuntime(settings, ServiceMetrics.create(settings.service_name), MIGRATIONS)
    runtime.add_consumer("tickets", [runtime.topics.tickets], ClockHandlers(config).registry())
    runtime.add_consumer("routing", [runtime.topics.routing], PriorityHandlers(config).registry())
    timer = BreachTimer(
        runtime.unit_of_work,
        poll_seconds=settings.timer_poll_seconds,
        batch_size=settings.timer_batch_size,
    )
    runtime.add_task("breach-timer", timer.loop.run, timer.loop.stop)
    return service_app(runtime, [], title="Escalator SLA timer")
