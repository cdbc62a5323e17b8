"""A PostgreSQL crash-restart on the real server, as clients see it: connections cut, then
`57P03 the database system is not yet accepting connections`, then back.

Consumers wait it out (nothing is dead-lettered, every event handled once), and timer loops
(the outbox relay, the SLA timer's breach loop, a supervised task) keep running with one
warning each, no traceback, and do their work once the database accepts connections again; a
delivery worker that sent during the outage records the answer then, rather than leave the
delivery to be sent twice.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
from collections.abc import AsyncIterator, Callable
from datetime import timedelta

import pytest
from sqlalchemy import insert, text
from sqlalchemy.ext.asyncio import AsyncEngine

from escalator_shared.bus.consumer import ConsumerRunner
from escalator_shared.bus.dispatcher import EventDispatcher, HandlerContext
from escalator_shared.bus.producer import EventProducer
from escalator_shared.db.engine import build_engine, build_session_factory
from escalator_shared.db.outbox_relay import OutboxRelay
from escalator_shared.db.unit_of_work import UnitOfWork
from escalator_shared.events import Envelope, Priority, TicketAcknowledged, Topics, utc_now
from escalator_shared.observability.metrics import ServiceMetrics
from escalator_shared.runtime import ServiceRuntime
from escalator_shared.settings import ServiceSettings
from tests.harness.chat_receivers import WEBHOOK_PATH, Answer
from tests.harness.environment import Infrastructure
from tests.harness.isolation import Namespace
from tests.harness.kafka_reader import read_topic
from tests.harness.pg_proxy import PostgresProxy
from tests.integration.conftest import PLUMBING_ONLY_MIGRATIONS
from tests.integration.notifier_failures import until
from tests.integration.notifier_pipeline import pipelines, step_reached
from tests.integration.test_clock_timer import NOW, _owning, _Pieces
from tests.integration.test_outbox_and_idempotency import side_effects

pytestmark = pytest.mark.integration

OUTAGE_LOG = "waiting for the database or broker"


@pytest.fixture
async def proxy(database_url: str) -> AsyncIterator[PostgresProxy]:
    """The test database, reached through a proxy that can play a crash-restart."""
    proxy = PostgresProxy(database_url)
    await proxy.start()
    yield proxy
    await proxy.stop()


async def _through(proxy: PostgresProxy, schema: str) -> AsyncEngine:
    engine = build_engine(proxy.url, schema, pool_size=2)
    async with engine.connect() as conn:  # a pooled connection for the crash to cut
        await conn.execute(text("SELECT 1"))
    return engine


async def _crash_and_recover_slowly(proxy: PostgresProxy) -> None:
    await proxy.crash()
    proxy.recovering()


async def _until(done: Callable[[], bool], within: float = 30) -> None:
    async with asyncio.timeout(within):
        while not done():  # noqa: ASYNC110 - polling a plain predicate is the point here
            await asyncio.sleep(0.05)


def _ack(n: int) -> Envelope:
    event = TicketAcknowledged(by=f"person-{n}", acknowledged_at=utc_now())
    return Envelope.wrap(event, ticket_id=f"ticket-{n}", client_id="acme", producer="tests")


def _outage_warnings(caplog: pytest.LogCaptureFixture, what: str) -> list[logging.LogRecord]:
    return [r for r in caplog.records if OUTAGE_LOG in r.getMessage() and what in r.getMessage()]


async def test_a_consumer_waits_for_a_recovering_database_and_dead_letters_nothing(
    proxy: PostgresProxy,
    engine: AsyncEngine,
    namespace: Namespace,
    topics: Topics,
    bootstrap: str,
    producer: EventProducer,
    caplog: pytest.LogCaptureFixture,
) -> None:
    proxied = await _through(proxy, namespace.schema("probe"))

    async def record(_event: TicketAcknowledged, ctx: HandlerContext) -> None:
        await ctx.uow.session.execute(insert(side_effects).values(event_id=ctx.envelope.event_id))

    group = f"{topics.prefix}probe"
    dispatcher = EventDispatcher(
        group,
        {TicketAcknowledged: [record]},
        lambda: UnitOfWork(build_session_factory(proxied), topics, "probe"),
    )
    metrics = ServiceMetrics.create("probe")
    runner = ConsumerRunner(
        bootstrap_servers=bootstrap,
        group_id=group,
        topics=[topics.tickets],
        dead_letter_topic=topics.dead_letter("probe"),
        handler=dispatcher,
        batch_handler=dispatcher.handle_batch,
        producer=producer,
        metrics=metrics.for_consumer(group),
        max_attempts=2,
        retry_base_seconds=0.01,
    )
    sent = [_ack(n) for n in range(6)]
    await _crash_and_recover_slowly(proxy)
    for envelope in sent:
        await producer.send(topics.tickets, envelope.ticket_id, envelope.to_bytes())
    task = asyncio.create_task(runner.run())
    try:
        await _until(lambda: proxy.refused >= 8)  # well past the two attempts allowed
        proxy.ready()
        await _until(
            lambda: (
                metrics.registry.get_sample_value(
                    "escalator_consumer_messages_total",
                    {
                        "service": "probe",
                        "group": group,
                        "topic": topics.tickets,
                        "outcome": "handled",
                    },
                )
                == len(sent)
            )
        )
    finally:
        runner.stop()
        await task
        await proxied.dispose()

    labels = {"service": "probe", "group": group, "topic": topics.tickets}
    dead = metrics.registry.get_sample_value("escalator_consumer_dead_lettered_total", labels)
    assert dead is None
    async with engine.connect() as conn:
        handled = sorted((await conn.execute(text("SELECT event_id FROM side_effects"))).scalars())
    assert handled == sorted(e.event_id for e in sent)
    assert len(_outage_warnings(caplog, f"consumer {group}")) == 1
    assert not [r for r in caplog.records if r.exc_info]


async def test_the_outbox_relay_keeps_running_through_the_outage_and_publishes_after(
    proxy: PostgresProxy,
    engine: AsyncEngine,
    namespace: Namespace,
    topics: Topics,
    bootstrap: str,
    producer: EventProducer,
    caplog: pytest.LogCaptureFixture,
) -> None:
    proxied = await _through(proxy, namespace.schema("probe"))
    async with UnitOfWork(build_session_factory(engine), topics, "probe") as uow:
        written = await uow.emit(
            TicketAcknowledged(by="alice", acknowledged_at=utc_now()),
            ticket_id="t-1",
            client_id="acme",
        )
    metrics = ServiceMetrics.create("probe")
    relay = OutboxRelay(
        build_session_factory(proxied),
        producer,
        published=metrics.outbox_published.labels(service="probe"),
        pending=metrics.outbox_pending.labels(service="probe"),
        poll_seconds=0.02,
    )
    await _crash_and_recover_slowly(proxy)
    task = asyncio.create_task(relay.run())
    try:
        await _until(lambda: proxy.refused >= 4 or task.done())
        assert not task.done(), task.exception()
        proxy.ready()
        published = await read_topic(bootstrap, topics.tickets, expected=1)
    finally:
        relay.stop()
        await task
        await proxied.dispose()
    assert [Envelope.from_bytes(r.value).event_id for r in published] == [written.event_id]
    assert len(_outage_warnings(caplog, "outbox relay")) == 1
    assert not [r for r in caplog.records if r.exc_info]


async def test_the_sla_breach_loop_waits_out_the_outage_and_then_fires(
    proxy: PostgresProxy,
    timer_engine: AsyncEngine,
    namespace: Namespace,
    caplog: pytest.LogCaptureFixture,
) -> None:
    direct = _Pieces(timer_engine, namespace)
    await direct.start_clocks(3, timedelta(hours=1), started=NOW - timedelta(hours=2))
    proxied = await _through(proxy, namespace.schema("sla-timer"))
    timer = _Pieces(proxied, namespace).timer(_owning(0, 1, 2, 3))
    await _crash_and_recover_slowly(proxy)
    task = asyncio.create_task(timer.loop.run())
    try:
        await _until(lambda: proxy.refused >= 4 or task.done())
        assert not task.done(), task.exception()
        assert await direct.breaches() == 0
        proxy.ready()
        async with asyncio.timeout(30):
            while await direct.breaches() < 3:  # noqa: ASYNC110 - polling the database
                await asyncio.sleep(0.05)
    finally:
        timer.loop.stop()
        await task
        await proxied.dispose()
    assert len(_outage_warnings(caplog, "_fire_full_batch")) == 1
    assert not [r for r in caplog.records if r.exc_info]


async def test_a_delivery_worker_records_what_it_sent_once_the_database_is_back(
    proxy: PostgresProxy, database_url: str, namespace: Namespace
) -> None:
    webhook_only = {"bob": {"teams_id": None, "notify": {"rules": {"assigned": ["webhook"]}}}}
    async with pipelines(database_url, namespace) as make:
        p = await make.build(people=webhook_only)
        p.receivers.script(WEBHOOK_PATH, Answer(delay=1.0))
        await p.open_ticket("t-outage", Priority.P3)
        await p.handle(step_reached(Priority.P3, ["bob"]), "t-outage")
        proxied = await _through(proxy, namespace.schema("notifier"))
        through = dataclasses.replace(p, engine=proxied, sessions=build_session_factory(proxied))
        try:
            step = asyncio.ensure_future(through.worker.step())
            await until(lambda: bool(p.receivers.received(WEBHOOK_PATH)), step)
            await _crash_and_recover_slowly(proxy)  # while the webhook takes its time to answer
            await _until(lambda: proxy.refused >= 3 or step.done())
            assert not step.done(), step.exception()
            proxy.ready()
            assert await step
        finally:
            await proxied.dispose()
        [row] = await p.deliveries(ticket_id="t-outage")
        assert row.status == "sent"  # not left `sending`, to be resent or marked unsure
        assert [a.outcome for a in await p.attempts(row.id)] == ["sent"]
        assert len(p.receivers.received(WEBHOOK_PATH)) == 1


async def test_a_task_that_cannot_reach_the_database_is_restarted_without_tracebacks(
    proxy: PostgresProxy,
    infrastructure: Infrastructure,
    database_url: str,
    namespace: Namespace,
    caplog: pytest.LogCaptureFixture,
) -> None:
    settings = ServiceSettings(
        service_name="outage",
        kafka_bootstrap_servers=infrastructure.kafka_bootstrap_servers,
        database_url=database_url,
        database_schema=namespace.schema("outage"),
        topic_prefix=namespace.topic_prefix,
        topic_partitions=1,
    )
    runtime = ServiceRuntime(settings, ServiceMetrics.create("outage"), PLUMBING_ONLY_MIGRATIONS)
    proxied = build_engine(proxy.url, namespace.schema("outage"), pool_size=1)
    proxy.recovering()
    runs: list[str] = []
    working, stopped = asyncio.Event(), asyncio.Event()

    async def reads_the_database() -> None:
        runs.append("run")
        async with proxied.connect() as conn:
            await conn.execute(text("SELECT 1"))
        working.set()
        await stopped.wait()

    runtime.add_task("reader", reads_the_database, stopped.set)
    await runtime.start()
    try:
        await _until(lambda: len(runs) >= 2)  # failed, and was started again
        proxy.ready()
        await asyncio.wait_for(working.wait(), timeout=30)
    finally:
        await runtime.stop()
        await proxied.dispose()
    assert len(_outage_warnings(caplog, "background task reader")) == 1
    assert not [r for r in caplog.records if r.exc_info]
