"""SLA timer's composition root."""

from __future__ import annotations

from pathlib import Path

from starlette.types import ASGIApp

from escalator_shared.config import EscalatorConfig
from escalator_shared.events import TicketOpened
from escalator_shared.http.app import service_app
from escalator_shared.observability.metrics import ServiceMetrics
from escalator_shared.runtime import ServiceRuntime
from escalator_sla_timer.api.clocks import clocks_router
from escalator_sla_timer.api.kpi_report import kpi_router
from escalator_sla_timer.api.reports import reports_router
from escalator_sla_timer.clock_commands import ClockCommands
from escalator_sla_timer.clock_keeper import ClockKeeper
from escalator_sla_timer.clock_timer import ClockTimer
from escalator_sla_timer.domain.plans import CalendarBook, Planner
from escalator_sla_timer.life_handlers import LifeHandlers
from escalator_sla_timer.opening_handlers import OpeningHandlers
from escalator_sla_timer.recalculation_handlers import RecalculationHandlers
from escalator_sla_timer.report_handlers import ReportHandlers
from escalator_sla_timer.settings import SlaTimerSettings
from escalator_sla_timer.sla_metrics import SlaMetrics
from escalator_sla_timer.vendor_cases import VendorClocks
from escalator_sla_timer.vendor_handlers import VendorHandlers

MIGRATIONS = Path(__file__).parent / "migrations"


def create_app(settings: SlaTimerSettings, config: EscalatorConfig) -> ASGIApp:
    """Wire the SLA timer: consumers of ticket life, routing and vendor cases; the reporting
    read model; the timer; the clock and report endpoints."""
    metrics = ServiceMetrics.create(settings.service_name)
    runtime = ServiceRuntime(settings, metrics, MIGRATIONS)
    runtime.follow_issued_tokens(config.access.issued)
    calendars = CalendarBook(config)
    planner = Planner(config, calendars)
    keeper = ClockKeeper(calendars, SlaMetrics.create(metrics.registry))
    vendor_clocks = VendorClocks(planner, keeper)
    opening = OpeningHandlers(planner, keeper, vendor_clocks)
    recalculation = RecalculationHandlers(planner, keeper)
    tickets = runtime.add_consumer(
        "tickets",
        [runtime.topics.tickets],
        {
            TicketOpened: [opening.handler()],
            **LifeHandlers(planner, keeper).registry(),
            **recalculation.tickets_registry(),
        },
    )
    runtime.add_consumer("routing", [runtime.topics.routing], recalculation.routing_registry())
    vendor = VendorHandlers(vendor_clocks)
    runtime.add_consumer("vendor", [runtime.topics.vendor], vendor.registry())
    topics = runtime.topics
    reported = [topics.tickets, topics.routing, topics.sla, topics.vendor]
    runtime.add_consumer("reports", reported, ReportHandlers().registry())
    timer = ClockTimer(
        runtime.unit_of_work,
        keeper,
        lambda: tickets.owned_partitions(runtime.topics.tickets),
        poll_seconds=settings.timer_poll_seconds,
        batch_size=settings.timer_batch_size,
    )
    runtime.add_task("clock-timer", timer.loop.run, timer.loop.stop)
    commands = ClockCommands(runtime.unit_of_work, keeper)
    routers = [
        clocks_router(config, runtime.session_factory, calendars, commands),
        reports_router(config, runtime.session_factory),
        kpi_router(config, runtime.session_factory),
    ]
    return service_app(runtime, routers, title="Escalator SLA timer")
