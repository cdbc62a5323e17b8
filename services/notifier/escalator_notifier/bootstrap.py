"""Notifier's composition root."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from starlette.types import ASGIApp

from escalator_notifier.channels.base import NotificationChannel
from escalator_notifier.channels.email_channel import EmailChannel
from escalator_notifier.channels.http_channels import (
    SlackChannel,
    SmsChannel,
    TeamsChannel,
    WebhookChannel,
)
from escalator_notifier.collections import CollectionWriter
from escalator_notifier.customer_updates import CustomerUpdates
from escalator_notifier.deliveries_api import deliveries_router
from escalator_notifier.delivery_worker import DeliveryWorker, WorkerLimits
from escalator_notifier.domain.content import TemplateBook
from escalator_notifier.notice_queue import Links, NoticeQueue
from escalator_notifier.notification_handlers import NotificationHandlers
from escalator_notifier.notifier_metrics import NotifierMetrics
from escalator_notifier.settings import NotifierSettings
from escalator_shared.config import EscalatorConfig
from escalator_shared.db.table_listener import TableListener
from escalator_shared.http.app import service_app
from escalator_shared.http.client_lanes import HttpLanes
from escalator_shared.observability.metrics import ServiceMetrics
from escalator_shared.runtime import ServiceRuntime
from escalator_shared.smtp import SmtpEmailSender

MIGRATIONS = Path(__file__).parent / "migrations"


def create_app(settings: NotifierSettings, config: EscalatorConfig) -> ASGIApp:
    """Wire the notifier: the consumer that queues messages, the worker that sends them, the
    delivery records API."""
    metrics = ServiceMetrics.create(settings.service_name)
    notifier_metrics = NotifierMetrics.create(metrics.registry)
    runtime = ServiceRuntime(settings, metrics, MIGRATIONS)
    runtime.follow_issued_tokens(config.access.issued)
    policy = config.notifications
    book = TemplateBook(Path(policy.templates_dir) if policy.templates_dir else None)
    links = Links(
        settings.link_signing_secret.get_secret_value(),
        settings.public_url,
        policy.link_valid_for,
        settings.console_url,
    )
    queue = NoticeQueue(config, book, links, notifier_metrics)
    handlers = NotificationHandlers(config, queue, notifier_metrics, CustomerUpdates(config, queue))
    topics = runtime.topics
    if settings.consumers:
        runtime.add_consumer(
            "alerts",
            [topics.tickets, topics.routing, topics.sla, topics.vendor, topics.notifications],
            handlers.registry(),
        )
    http = HttpLanes(settings.http_connections, timeout=settings.http_timeout_seconds)
    worker = DeliveryWorker(
        runtime.unit_of_work,
        config,
        _channels(settings, config, book, http),
        CollectionWriter(config, book),
        notifier_metrics,
        limits=WorkerLimits(
            batch_size=settings.delivery_batch_size,
            lease=timedelta(seconds=settings.delivery_lease_seconds),
            in_flight=settings.http_connections,
            max_attempts=settings.delivery_max_attempts,
            retry_base=timedelta(seconds=settings.delivery_retry_base_seconds),
            retry_cap=timedelta(seconds=settings.delivery_retry_cap_seconds),
        ),
        poll_seconds=settings.delivery_poll_seconds,
    )
    if settings.delivery_worker:
        runtime.add_task("delivery-worker", worker.loop.run, worker.loop.stop)
        # New deliveries (this instance's consumer or another's) wake the worker at commit.
        listener = TableListener(
            settings.database_url, settings.schema_name, "deliveries", worker.loop.wake
        )
        runtime.add_task("deliveries-listener", listener.run, listener.stop)
    runtime.add_closer(http.aclose)
    return service_app(
        runtime,
        [deliveries_router(runtime.session_factory, config)],
        title="Escalator notifier",
    )


def _channels(
    settings: NotifierSettings, config: EscalatorConfig, book: TemplateBook, http: HttpLanes
) -> dict[str, NotificationChannel]:
    channels: dict[str, NotificationChannel] = {
        "email": EmailChannel(
            SmtpEmailSender.from_settings(settings), book, config.email.own_message_id_domain
        ),
        "slack": SlackChannel(http),
        "teams": TeamsChannel(http),
        "webhook": WebhookChannel(http, settings.webhook_signing_secret.get_secret_value()),
    }
    sms = config.notifications.sms
    if sms is not None and settings.sms_auth_token is not None:
        channels["sms"] = SmsChannel(http, sms, settings.sms_auth_token.get_secret_value())
    return channels
