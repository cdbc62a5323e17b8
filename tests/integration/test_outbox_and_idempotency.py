"""Publish after commit (outbox relay) and handle-once (processed events) on real infrastructure."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import column, func, insert, select, table, text
from sqlalchemy.ext.asyncio import AsyncEngine

from escalator_shared.bus.dispatcher import EventDispatcher, HandlerContext
from escalator_shared.bus.producer import EventProducer
from escalator_shared.db.engine import build_session_factory
from escalator_shared.db.outbox_relay import OutboxRelay
from escalator_shared.db.retention import ProcessedEventsPurge
from escalator_shared.db.tables import outbox
from escalator_shared.db.unit_of_work import UnitOfWork
from escalator_shared.events import (
    Envelope,
    Priority,
    TicketAcknowledged,
    TicketRouted,
    Topics,
    utc_now,
)
from escalator_shared.observability.metrics import ServiceMetrics
from tests.harness.kafka_reader import read_topic

pytestmark = pytest.mark.integration

side_effects = table("side_effects", column("event_id"))


def _relay(engine: AsyncEngine, producer: EventProducer) -> OutboxRelay:
    metrics = ServiceMetrics.create("probe")
    return OutboxRelay(
        build_session_factory(engine),
        producer,
        published=metrics.outbox_published.labels(service="probe"),
        pending=metrics.outbox_pending.labels(service="probe"),
    )


def _uow(engine: AsyncEngine, topics: Topics) -> UnitOfWork:
    return UnitOfWork(build_session_factory(engine), topics, "probe")


async def test_events_of_a_committed_unit_are_published_and_removed_from_the_outbox(
    engine: AsyncEngine, producer: EventProducer, bootstrap: str, topics: Topics
) -> None:
    async with _uow(engine, topics) as uow:
        routed = await uow.emit(
            TicketRouted(title="Disk full", tier="L1", priority=Priority.P3, rule="default"),
            ticket_id="t-1",
            client_id="acme",
        )
    relay = _relay(engine, producer)
    assert await relay.relay_batch() == 1
    records = await read_topic(bootstrap, topics.routing, expected=1)
    assert [Envelope.from_bytes(r.value) for r in records] == [routed]
    assert records[0].key == b"t-1"
    async with engine.connect() as conn:
        assert await conn.scalar(select(func.count()).select_from(outbox)) == 0


async def test_events_of_a_rolled_back_unit_are_never_published(
    engine: AsyncEngine, producer: EventProducer, bootstrap: str, topics: Topics
) -> None:
    async def failing_unit() -> None:
        async with _uow(engine, topics) as uow:
            await uow.emit(
                TicketAcknowledged(by="alice", acknowledged_at=utc_now()),
                ticket_id="t-2",
                client_id="acme",
            )
            raise RuntimeError("handler failed")

    with pytest.raises(RuntimeError, match="handler failed"):
        await failing_unit()
    assert await _relay(engine, producer).relay_batch() == 0
    assert await read_topic(bootstrap, topics.tickets, expected=1, within=1.5) == []


async def test_a_redelivered_event_is_handled_once(engine: AsyncEngine, topics: Topics) -> None:
    async def record(_event: TicketAcknowledged, ctx: HandlerContext) -> None:
        await ctx.uow.session.execute(insert(side_effects).values(event_id=ctx.envelope.event_id))

    dispatcher = EventDispatcher(
        "probe-consumer", {TicketAcknowledged: [record]}, lambda: _uow(engine, topics)
    )
    envelope = Envelope.wrap(
        TicketAcknowledged(by="alice", acknowledged_at=utc_now()),
        ticket_id="t-3",
        client_id="acme",
        producer="tests",
    )
    assert await dispatcher(envelope) == "handled"
    assert await dispatcher(envelope) == "duplicate"
    async with engine.connect() as conn:
        count = await conn.scalar(text("SELECT count(*) FROM side_effects"))
    assert count == 1


async def test_processed_event_ids_are_forgotten_only_after_the_retention(
    engine: AsyncEngine, topics: Topics
) -> None:
    async with engine.begin() as conn:
        await conn.execute(
            text(
                "INSERT INTO processed_events (consumer, event_id, processed_at) VALUES "
                "('c1', 'old', now() - interval '8 days'), ('c2', 'old', now()), "
                "('c1', 'new', now() - interval '1 day')"
            )
        )
    purge = ProcessedEventsPurge(build_session_factory(engine), timedelta(days=7))
    assert await purge.purge_batch() is False
    async with engine.connect() as conn:
        left = (await conn.execute(text("SELECT consumer, event_id FROM processed_events"))).all()
    assert sorted(tuple(r) for r in left) == [("c1", "new"), ("c2", "old")]
