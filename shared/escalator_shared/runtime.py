"""The moving parts every service has, started and stopped in order.

A service's composition root (`bootstrap.py`) builds one `ServiceRuntime`, registers its consumers
and background tasks, and hands `runtime.lifespan` to its FastAPI app.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from fastapi import FastAPI

from escalator_shared.access.issued_tokens import IssuedTokens
from escalator_shared.access.token_feed import TokenFeed
from escalator_shared.bus.admin import ensure_topics
from escalator_shared.bus.consumer import ConsumerRunner
from escalator_shared.bus.dispatcher import EventDispatcher, HandlerRegistry
from escalator_shared.bus.producer import EventProducer
from escalator_shared.db.engine import build_engine, build_session_factory, ping
from escalator_shared.db.migrations import migrate
from escalator_shared.db.outbox_relay import OutboxRelay
from escalator_shared.db.retention import ProcessedEventsPurge
from escalator_shared.db.unit_of_work import UnitOfWork
from escalator_shared.errors import is_transient
from escalator_shared.events import Topics
from escalator_shared.observability.metrics import ServiceMetrics
from escalator_shared.outages import Outage
from escalator_shared.polling import PollingLoop
from escalator_shared.settings import ServiceSettings

log = logging.getLogger(__name__)

_RESTART_DELAY_SECONDS = 1.0
_RAN_WELL_SECONDS = 30.0  # a task that ran this long before failing had got over any outage
_READINESS_TIMEOUT_SECONDS = 3.0
_PURGE_INTERVAL_SECONDS = 600.0


@dataclass
class _Task:
    name: str
    run: Callable[[], Awaitable[None]]
    stop: Callable[[], None]
    handle: asyncio.Task[None] | None = None


class ServiceRuntime:
    """Engine, producer, outbox relay, consumers and timers of one service."""

    def __init__(
        self, settings: ServiceSettings, metrics: ServiceMetrics, migrations: Path
    ) -> None:
        self.settings = settings
        self.metrics = metrics
        self.topics = Topics(settings.topic_prefix)
        self.engine = build_engine(
            settings.database_url, settings.schema_name, settings.database_pool_size
        )
        self.session_factory = build_session_factory(self.engine)
        self.producer = EventProducer(settings.kafka_bootstrap_servers, settings.service_name)
        self.relay = OutboxRelay(
            self.session_factory,
            self.producer,
            published=metrics.outbox_published.labels(service=settings.service_name),
            pending=metrics.outbox_pending.labels(service=settings.service_name),
            poll_seconds=settings.outbox_poll_seconds,
        )
        self._migrations = migrations
        self._consumers: list[ConsumerRunner] = []
        purge = ProcessedEventsPurge(
            self.session_factory, timedelta(hours=settings.processed_events_retention_hours)
        )
        self._purge_loop = PollingLoop(purge.purge_batch, _PURGE_INTERVAL_SECONDS)
        self._tasks: list[_Task] = [
            _Task("outbox-relay", self.relay.run, self.relay.stop),
            _Task("processed-events-purge", self._purge_loop.run, self._purge_loop.stop),
        ]
        self._closers: list[Callable[[], Awaitable[None]]] = []
        self._checks: dict[str, Callable[[], Awaitable[None]]] = {}
        self._stopping = False
        self._stopped = asyncio.Event()  # ends a supervisor's pause before a restart

    def unit_of_work(self) -> UnitOfWork:
        """A fresh unit of work whose commits wake the outbox relay."""
        return UnitOfWork(
            self.session_factory, self.topics, self.settings.service_name, self.relay.notify
        )

    def add_consumer(
        self, name: str, topics: Sequence[str], handlers: HandlerRegistry
    ) -> ConsumerRunner:
        """Consume `topics` as group `<service>.<name>`, dispatching to `handlers` idempotently."""
        group = f"{self.settings.topic_prefix}{self.settings.service_name}.{name}"
        dispatcher = EventDispatcher(group, handlers, self.unit_of_work)
        runner = ConsumerRunner(
            bootstrap_servers=self.settings.kafka_bootstrap_servers,
            group_id=group,
            topics=topics,
            dead_letter_topic=self.topics.dead_letter(f"{self.settings.service_name}.{name}"),
            handler=dispatcher,
            batch_handler=dispatcher.handle_batch,
            transaction_size=self.settings.consumer_transaction_size,
            producer=self.producer,
            metrics=self.metrics.for_consumer(group),
            max_attempts=self.settings.consumer_max_attempts,
            retry_base_seconds=self.settings.consumer_retry_base_seconds,
            batch_size=self.settings.consumer_batch_size,
        )
        self._consumers.append(runner)
        self._tasks.append(_Task(f"consumer:{name}", runner.run, runner.stop))
        return runner

    def add_task(
        self, name: str, run: Callable[[], Awaitable[None]], stop: Callable[[], None]
    ) -> None:
        """A background loop, restarted if it crashes, stopped with the service."""
        self._tasks.append(_Task(name, run, stop))

    def add_check(self, name: str, check: Callable[[], Awaitable[None]]) -> None:
        """A readiness check: `/readyz` fails while it raises."""
        self._checks[name] = check

    def follow_issued_tokens(self, tokens: IssuedTokens) -> None:
        """Keep `tokens` current from the access topic; not ready until caught up."""
        feed = TokenFeed(self.settings.kafka_bootstrap_servers, self.topics.access, tokens)
        self.add_task("token-feed", feed.run, feed.stop)
        self.add_check("tokens", feed.check)

    def add_closer(self, close: Callable[[], Awaitable[None]]) -> None:
        """Something to close once the tasks have stopped (an HTTP client, say)."""
        self._closers.append(close)

    async def start(self) -> None:
        """Migrate, create topics, connect, then start the relay, consumers and tasks."""
        await migrate(self.engine, self.settings.schema_name, self._migrations)
        await ensure_topics(
            self.settings.kafka_bootstrap_servers,
            [*self.topics.all(), *(c.dead_letter_topic for c in self._consumers)],
            self.settings.topic_partitions,
            self.settings.topic_replication_factor,
            compacted=self.topics.compacted,
        )
        await self.producer.start()
        for task in self._tasks:
            task.handle = asyncio.create_task(self._supervise(task), name=task.name)

    async def stop(self) -> None:
        """Stop tasks (each finishes its unit in hand), then the producer and the engine."""
        self._stopping = True
        self._stopped.set()
        for task in reversed(self._tasks):
            task.stop()
        handles = [t.handle for t in self._tasks if t.handle is not None]
        _, pending = await asyncio.wait(handles, timeout=15) if handles else (set(), set())
        for handle in pending:
            handle.cancel()
        for close in reversed(self._closers):
            try:
                await close()
            except Exception:
                log.exception("closing %r on shutdown failed", close)
        await self.producer.stop()
        await self.engine.dispose()

    async def _supervise(self, task: _Task) -> None:
        # A task that ends because the database or broker is away (a consumer that cannot
        # reach Kafka, say) is restarted after a growing pause, with a warning, not a traceback.
        what = f"background task {task.name}"
        outage = Outage(what, first_pause=_RESTART_DELAY_SECONDS)
        while not self._stopping:
            started = time.monotonic()
            pause = _RESTART_DELAY_SECONDS
            try:
                await task.run()
            except Exception as exc:
                if time.monotonic() - started > _RAN_WELL_SECONDS:
                    outage = Outage(what, first_pause=_RESTART_DELAY_SECONDS)  # a new outage
                if is_transient(exc):
                    pause = outage.failed(exc)
                else:
                    log.exception("background task %s crashed; restarting", task.name)
            if not self._stopping:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._stopped.wait(), timeout=pause)

    async def readiness(self) -> dict[str, str]:
        """Each dependency's state: "ok" or what is wrong."""
        checks: dict[str, Callable[[], Awaitable[None]]] = {
            "database": lambda: ping(self.engine),
            "kafka": self.producer.ping,
            **self._checks,
        }
        report: dict[str, str] = {}
        for name, check in checks.items():
            try:
                await asyncio.wait_for(check(), timeout=_READINESS_TIMEOUT_SECONDS)
                report[name] = "ok"
            except Exception as exc:
                report[name] = f"unavailable: {type(exc).__name__}: {exc}"[:300]
        dead = [t.name for t in self._tasks if t.handle is None or t.handle.done()]
        report["tasks"] = "ok" if not dead else f"not running: {', '.join(dead)}"
        return report

    @contextlib.asynccontextmanager
    async def lifespan(self, _app: FastAPI) -> AsyncIterator[None]:
        """FastAPI lifespan: start on enter, stop on exit."""
        await self.start()
        try:
            yield
        finally:
            await self.stop()
