"""Vendor gateway's composition root."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

from starlette.types import ASGIApp

from escalator_shared.config import EscalatorConfig
from escalator_shared.events import utc_now
from escalator_shared.http.app import service_app
from escalator_shared.http.client_lanes import HttpLanes
from escalator_shared.observability.metrics import ServiceMetrics
from escalator_shared.runtime import ServiceRuntime
from escalator_shared.smtp import SmtpEmailSender
from escalator_vendor_gateway.case_commands import CaseCommands
from escalator_vendor_gateway.case_handlers import CaseHandlers
from escalator_vendor_gateway.case_lifecycle import CaseLifecycle
from escalator_vendor_gateway.case_opener import CaseOpener, OpenerLimits
from escalator_vendor_gateway.case_tracking import CaseTracking
from escalator_vendor_gateway.cases_api import cases_router
from escalator_vendor_gateway.channels.api_channel import ApiCaseChannel
from escalator_vendor_gateway.channels.base import CaseChannel
from escalator_vendor_gateway.channels.email_channel import EmailCaseChannel
from escalator_vendor_gateway.condition_sweeper import ConditionSweeper
from escalator_vendor_gateway.directory_api import directory_router
from escalator_vendor_gateway.domain.circuit_breaker import VendorBreakers
from escalator_vendor_gateway.domain.retry_policy import RetryPolicy
from escalator_vendor_gateway.escalation_chaser import EscalationChaser
from escalator_vendor_gateway.gateway_metrics import GatewayMetrics
from escalator_vendor_gateway.send_slot import SendSlot
from escalator_vendor_gateway.settings import VendorGatewaySettings
from escalator_vendor_gateway.status_poller import StatusPoller
from escalator_vendor_gateway.webhook_api import webhook_router

MIGRATIONS = Path(__file__).parent / "migrations"


def create_app(settings: VendorGatewaySettings, config: EscalatorConfig) -> ASGIApp:
    """Wire the vendor gateway: case handlers, the opener, the sweeper, the status poller, the
    chaser and the APIs."""
    metrics = ServiceMetrics.create(settings.service_name)
    gateway_metrics = GatewayMetrics.create(metrics.registry)
    today = utc_now().date()
    gateway_metrics.review_due.set(
        sum(v.review_due(today, config.vendor_review_every) for v in config.vendors)
    )
    runtime = ServiceRuntime(settings, metrics, MIGRATIONS)
    runtime.follow_issued_tokens(config.access.issued)
    secrets = settings.secrets()
    # Connections to each vendor kept alive (reopening them costs more than the request), one
    # client each (httpx's pool checks every connection it holds on every request).
    http = HttpLanes(settings.vendor_http_connections)
    api = ApiCaseChannel(http, secrets)
    channels: dict[str, CaseChannel] = {
        "email": EmailCaseChannel(
            SmtpEmailSender.from_settings(settings), settings.message_id_domain
        ),
        "api": api,
    }
    openers: list[CaseOpener] = []  # the lifecycle wakes the opener made after it

    def wake_opener() -> None:
        openers[0].wake()

    def reserve_slot(vendor: str, now: datetime) -> SendSlot | None:
        return openers[0].reserve(vendor, now)

    lifecycle = CaseLifecycle(config, gateway_metrics, wake_opener, reserve_slot)
    opener = CaseOpener(
        runtime.unit_of_work,
        config,
        channels,
        lifecycle,
        gateway_metrics,
        retry=RetryPolicy(
            settings.case_max_attempts,
            timedelta(seconds=settings.case_retry_base_seconds),
            timedelta(seconds=settings.case_retry_cap_seconds),
        ),
        breakers=VendorBreakers(
            settings.breaker_threshold, timedelta(seconds=settings.breaker_cooldown_seconds)
        ),
        limits=OpenerLimits(
            settings.case_batch_size,
            timedelta(seconds=settings.case_lease_seconds),
            settings.case_poll_seconds,
        ),
    )
    openers.append(opener)
    sweeper = ConditionSweeper(runtime.unit_of_work, lifecycle, poll_seconds=1.0)
    tracking = CaseTracking(config, lifecycle, gateway_metrics)
    poller = StatusPoller(
        runtime.unit_of_work,
        config,
        api,
        tracking,
        gateway_metrics,
        poll_seconds=settings.status_poll_seconds,
    )
    chaser = EscalationChaser(
        runtime.unit_of_work, config, tracking, poll_seconds=settings.chase_poll_seconds
    )
    topics = runtime.topics
    runtime.add_consumer(
        "cases",
        [topics.tickets, topics.routing, topics.vendor],
        CaseHandlers(config, lifecycle, tracking).registry(),
    )
    runtime.add_task("case-opener", opener.run, opener.stop)
    runtime.add_task("condition-sweeper", sweeper.loop.run, sweeper.loop.stop)
    runtime.add_task("status-poller", poller.loop.run, poller.loop.stop)
    runtime.add_task("escalation-chaser", chaser.loop.run, chaser.loop.stop)
    commands = CaseCommands(runtime.unit_of_work, config, lifecycle, tracking)
    routers = [
        cases_router(runtime.session_factory, config, commands),
        webhook_router(config, secrets, commands),
        directory_router(config),
    ]
    runtime.add_closer(http.aclose)
    return service_app(runtime, routers, title="Escalator vendor gateway")
