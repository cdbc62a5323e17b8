"""The notifier's pipeline assembled in-process for integration tests.

Real pieces throughout: the handlers and the notice queue write to PostgreSQL (a schema of the
test's own, migrated with the notifier's migrations); the delivery worker sends through the real
channels to a real HTTP server standing in for Slack, Teams, the SMS API and a webhook
(tests/harness/chat_receivers.py) and to a real SMTP server (aiosmtpd). Queue, collections and
worker share one controllable clock, so tests move time instead of sleeping.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import yaml
from prometheus_client import CollectorRegistry
from sqlalchemy import func, select, text
from sqlalchemy.engine import Row
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

import escalator_notifier
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
from escalator_notifier.delivery_worker import DeliveryWorker, WorkerLimits
from escalator_notifier.domain.content import TemplateBook
from escalator_notifier.notice_queue import Links, NoticeQueue
from escalator_notifier.notification_handlers import NotificationHandlers
from escalator_notifier.notifier_metrics import NotifierMetrics
from escalator_notifier.tables import deliveries, delivery_attempts
from escalator_shared.bus.dispatcher import EventDispatcher, HandlerContext
from escalator_shared.config import EscalatorConfig
from escalator_shared.db.engine import build_engine, build_session_factory
from escalator_shared.db.migrations import migrate
from escalator_shared.db.tables import outbox
from escalator_shared.db.unit_of_work import UnitOfWork
from escalator_shared.events import (
    Envelope,
    EscalationStepReached,
    Event,
    Priority,
    Severity,
    SlaClockStarted,
    TicketOpened,
    TicketRouted,
    Topics,
)
from escalator_shared.http.client_lanes import HttpLanes
from escalator_shared.smtp import SmtpEmailSender
from tests.harness.chat_receivers import ChatReceivers
from tests.harness.isolation import Namespace
from tests.harness.smtp_sink import SmtpSink
from tests.integration.ports import free_port

REPO = Path(__file__).resolve().parents[2]
EXAMPLE = REPO / "deploy" / "config" / "example.yaml"
MIGRATIONS = Path(escalator_notifier.__file__).parent / "migrations"

T0 = datetime(2026, 7, 6, 9, 0, tzinfo=UTC)  # Monday 10:00 in London (BST)
LINK_SECRET = "tests-link-signing-secret"
WEBHOOK_SECRET = "tests-webhook-signing-secret"
SMS_TOKEN = "tests-sms-auth-token"
SMS_SID = "ACdev00000000000000000000000000000"  # the example configuration's account
PUBLIC_URL = "https://escalator.msp.example"
FROM = "escalator@msp.example"
PHONES = {"bob": "+447700900456", "grace": "+46701234567", "dave": "+447700900123"}
STAFF_TOKEN = "dev-staff-token-alice"

# Bob is also on Teams, so that an urgent page to him uses every channel.
BOB_ON_TEAMS: dict[str, dict[str, Any]] = {"bob": {"teams_id": "bob@msp.example"}}


class Clock:
    """The time the queue, the collections and the worker all read; tests move it."""

    def __init__(self, at: datetime) -> None:
        self.at = at

    def now(self) -> datetime:
        """The current reading."""
        return self.at

    def advance(self, delta: timedelta) -> datetime:
        """Move forward; the new reading."""
        self.at += delta
        return self.at


def notifier_config(
    receivers: ChatReceivers,
    *,
    people: Mapping[str, Mapping[str, Any]] | None = None,
    notifications: Mapping[str, Any] | None = None,
) -> EscalatorConfig:
    """The example configuration with its providers pointed at the local receivers; `people`
    and `notifications` replace fields of those sections."""
    raw = yaml.safe_load(EXAMPLE.read_text(encoding="utf-8"))
    policy = raw["notifications"]
    policy["sms"]["base_url"] = receivers.sms_base_url
    policy["webhooks"] = {
        "slack": receivers.slack_url,
        "teams": receivers.teams_url,
        "webhook": receivers.webhook_url,
    }
    policy.update(notifications or {})
    changes = {**BOB_ON_TEAMS, **(people or {})}
    for person in raw["people"]:
        person.update(changes.get(person["id"], {}))
    return EscalatorConfig.model_validate(raw)


@dataclass
class Pipeline:
    """One notifier, its database schema, and the receivers it sends to."""

    config: EscalatorConfig
    clock: Clock
    engine: AsyncEngine
    sessions: async_sessionmaker[AsyncSession]
    topics: Topics
    receivers: ChatReceivers
    sink: SmtpSink
    http: HttpLanes
    registry: CollectorRegistry
    metrics: NotifierMetrics
    book: TemplateBook
    handlers: NotificationHandlers
    limits: WorkerLimits
    worker: DeliveryWorker = field(init=False)

    def __post_init__(self) -> None:
        self.worker = self.new_worker()

    def unit_of_work(self) -> UnitOfWork:
        """A fresh unit of work, as the consumer and the worker make them."""
        return UnitOfWork(self.sessions, self.topics, "notifier")

    def channels(self, smtp_port: int | None = None) -> dict[str, NotificationChannel]:
        """The real channels, to the receivers and the SMTP server (or another one)."""
        sms = self.config.notifications.sms
        assert sms is not None
        sender = SmtpEmailSender("127.0.0.1", smtp_port or self.sink.port, FROM, timeout=5.0)
        domain = self.config.email.own_message_id_domain
        return {
            "email": EmailChannel(sender, self.book, domain),
            "slack": SlackChannel(self.http),
            "teams": TeamsChannel(self.http),
            "sms": SmsChannel(self.http, sms, SMS_TOKEN),
            "webhook": WebhookChannel(self.http, WEBHOOK_SECRET),
        }

    def new_worker(
        self, *, smtp_port: int | None = None, limits: WorkerLimits | None = None
    ) -> DeliveryWorker:
        """A delivery worker on this pipeline's database and clock."""
        return DeliveryWorker(
            self.unit_of_work,
            self.config,
            self.channels(smtp_port),
            CollectionWriter(self.config, self.book, clock=self.clock.now),
            self.metrics,
            limits=limits or self.limits,
            poll_seconds=0.01,
            clock=self.clock.now,
        )

    def envelope(self, event: Event, ticket_id: str, client_id: str = "acme") -> Envelope:
        """The event as a producer sends it, occurring now on the test's clock."""
        wrapped = Envelope.wrap(event, ticket_id=ticket_id, client_id=client_id, producer="tests")
        return wrapped.model_copy(update={"occurred_at": self.clock.now()})

    async def handle(self, event: Event, ticket_id: str, client_id: str = "acme") -> Envelope:
        """Consume one event as the notifier's consumer does (claimed once, one transaction)."""
        envelope = self.envelope(event, ticket_id, client_id)
        assert await self.dispatcher()(envelope) == "handled"
        return envelope

    async def handle_batch(self, envelopes: list[Envelope]) -> None:
        """Consume a batch of envelopes in one transaction, as the consumer runner does."""
        outcomes = await self.dispatcher().handle_batch(envelopes)
        assert set(outcomes) == {"handled"}

    def dispatcher(self) -> EventDispatcher:
        """The dispatcher the notifier's consumer runs its handlers with."""
        return EventDispatcher("notifier", self.handlers.registry(), self.unit_of_work)

    async def run_handlers(self, envelope: Envelope, event: Event) -> None:
        """Run the handlers of an envelope directly in a fresh unit of work (no claim): what a
        redelivery does if the processed-events record is gone."""
        async with self.unit_of_work() as uow:
            context = HandlerContext(envelope=envelope, uow=uow)
            for handler in self.handlers.registry()[type(event)]:
                await handler(event, context)

    async def drain(self, worker: DeliveryWorker | None = None, max_steps: int = 100) -> int:
        """Step the worker until nothing is due on the clock; how many steps sent something.
        (A step that only bundled returns False with messages still due, so `due` decides.)"""
        worker = worker or self.worker
        sending = 0
        for _ in range(max_steps):
            if await worker.step():
                sending += 1
            elif not await self.due():
                return sending
        raise AssertionError(f"messages still due after {max_steps} steps")

    async def due(self) -> int:
        """Pending deliveries due now."""
        async with self.sessions() as session:
            count = await session.scalar(
                select(func.count())
                .select_from(deliveries)
                .where(
                    deliveries.c.status == "pending",
                    deliveries.c.next_attempt_at <= self.clock.now(),
                )
            )
        return int(count or 0)

    async def deliveries(self, *conditions: Any, **equal: Any) -> list[Row[Any]]:
        """Delivery rows matching, oldest first."""
        where = [*conditions, *(deliveries.c[name] == value for name, value in equal.items())]
        async with self.sessions() as session:
            result = await session.execute(
                select(deliveries).where(*where).order_by(deliveries.c.created_at, deliveries.c.id)
            )
            return list(result)

    async def attempts(self, delivery_id: str) -> list[Row[Any]]:
        """The attempt log of one delivery, in order."""
        async with self.sessions() as session:
            result = await session.execute(
                select(delivery_attempts)
                .where(delivery_attempts.c.delivery_id == delivery_id)
                .order_by(delivery_attempts.c.attempt)
            )
            return list(result)

    async def emitted(self, event_type: str) -> list[Envelope]:
        """Events of that type the notifier wrote to its outbox."""
        async with self.sessions() as session:
            payloads = (await session.scalars(select(outbox.c.payload).order_by(outbox.c.id))).all()
        envelopes = [Envelope.from_bytes(payload) for payload in payloads]
        return [e for e in envelopes if e.event_type == event_type]

    def metric(self, name: str, **labels: str) -> float:
        """A sample of the notifier's metrics (0 when never observed)."""
        return self.registry.get_sample_value(name, labels) or 0.0

    async def open_ticket(
        self,
        ticket_id: str,
        priority: Priority,
        *,
        title: str = "Core switch down at HQ",
        assignee: str = "bob",
        backup: str | None = None,
        team: str = "l2-technical",
        response_due: timedelta = timedelta(minutes=15),
        client_id: str = "acme",
        **opened: Any,
    ) -> None:
        """The events that precede a ticket's first page: opened, routed, its clock started."""
        now = self.clock.now()
        facts = {
            "source": "monitoring",
            "integration": "acme-monitoring",
            "dedup_key": f"dedup-{ticket_id}",
            "severity": Severity.CRITICAL,
            "reference": "TKT-1042",
            **opened,
        }
        await self.handle(
            TicketOpened(title=title, priority=priority, opened_at=now, **facts),
            ticket_id,
            client_id,
        )
        routed = TicketRouted(
            title=title,
            tier="L2",
            team=team,
            assignee=assignee,
            backup=backup,
            priority=priority,
            rule="critical-to-l2",
            escalation_policy="p1-fast-track",
        )
        await self.handle(routed, ticket_id, client_id)
        started = SlaClockStarted(
            clock_id=f"clock-{ticket_id}",
            metric="response",
            policy="standard",
            target_seconds=int(response_due.total_seconds()),
            due_at=now + response_due,
            started_at=now,
        )
        await self.handle(started, ticket_id, client_id)


def step_reached(
    priority: Priority,
    people: list[str],
    *,
    title: str = "Core switch down at HQ",
    step: int = 0,
    reason: str = "routed",
    next_escalation_at: datetime | None = None,
) -> EscalationStepReached:
    """The router's page of an escalation step."""
    return EscalationStepReached(
        title=title,
        priority=priority,
        policy="p1-fast-track",
        step=step,
        round=0,
        step_name="L2 and L3 at once" if step == 0 else "Manager and executives",
        reason=reason,
        people=people,
        via=["team:l2-technical"] * len(people),
        next_escalation_at=next_escalation_at,
    )


@dataclass
class Pipelines:
    """Builds the test's pipeline (once), on its own schema; `close` removes it all."""

    database_url: str
    namespace: Namespace
    receivers: ChatReceivers
    sink: SmtpSink
    built: list[Pipeline] = field(default_factory=list)

    async def build(
        self,
        *,
        people: Mapping[str, Mapping[str, Any]] | None = None,
        notifications: Mapping[str, Any] | None = None,
        limits: WorkerLimits | None = None,
        start: datetime = T0,
    ) -> Pipeline:
        """The pipeline on a freshly migrated schema, its clock at `start`."""
        assert not self.built, "one pipeline per test (they share the schema)"
        config = notifier_config(self.receivers, people=people, notifications=notifications)
        schema = self.namespace.schema("notifier")
        engine = build_engine(self.database_url, schema, pool_size=4)
        await migrate(engine, schema, MIGRATIONS)
        clock = Clock(start)
        registry = CollectorRegistry()
        metrics = NotifierMetrics.create(registry)
        book = TemplateBook()
        links = Links(LINK_SECRET, PUBLIC_URL, config.notifications.link_valid_for)
        queue = NoticeQueue(config, book, links, metrics, clock=clock.now)
        pipeline = Pipeline(
            config=config,
            clock=clock,
            engine=engine,
            sessions=build_session_factory(engine),
            topics=Topics(self.namespace.topic_prefix),
            receivers=self.receivers,
            sink=self.sink,
            http=HttpLanes(16, timeout=10.0),  # as the notifier's bootstrap makes it
            registry=registry,
            metrics=metrics,
            book=book,
            handlers=NotificationHandlers(config, queue, metrics, CustomerUpdates(config, queue)),
            limits=limits or WorkerLimits(retry_base=timedelta(seconds=2)),
        )
        self.built.append(pipeline)
        return pipeline

    async def close(self) -> None:
        """Close the clients, drop the schema."""
        for pipeline in self.built:
            await pipeline.http.aclose()
            async with pipeline.engine.begin() as conn:
                await conn.execute(
                    text(f'DROP SCHEMA "{self.namespace.schema("notifier")}" CASCADE')
                )
            await pipeline.engine.dispose()


@contextlib.asynccontextmanager
async def pipelines(database_url: str, namespace: Namespace) -> AsyncIterator[Pipelines]:
    """Receivers and an SMTP sink running for the block, and a builder of the pipeline."""
    receivers = ChatReceivers()
    receivers.start()
    sink = SmtpSink(free_port())
    sink.start()
    factory = Pipelines(database_url, namespace, receivers, sink)
    try:
        yield factory
    finally:
        await factory.close()
        sink.stop()
        receivers.stop()
