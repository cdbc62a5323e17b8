"""Publish after commit (outbox relay) and handle-once (processed events) on real infrastructure."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import column, func, insert, select, table, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine

from escalator_shared.bus.dispatcher import Batched, EventDispatcher, HandlerContext
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


def _relay(engine: AsyncEngine, producer: EventProducer, **options: Any) -> OutboxRelay:
    metrics = ServiceMetrics.create("probe")
    return OutboxRelay(
        build_session_factory(engine),
        producer,
        published=metrics.outbox_published.labels(service="probe"),
        pending=metrics.outbox_pending.labels(service="probe"),
        **options,
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


async def test_one_wake_up_relays_batch_after_batch_until_one_comes_back_short(
    engine: AsyncEngine, producer: EventProducer, bootstrap: str, topics: Topics
) -> None:
    async with _uow(engine, topics) as uow:
        emitted = [
            await uow.emit(
                TicketAcknowledged(by=f"tech-{n}", acknowledged_at=utc_now()),
                ticket_id="t-batches",
                client_id="acme",
            )
            for n in range(5)
        ]
    # No poll within the test: only the full batches' follow-up passes can publish all five.
    relay = _relay(engine, producer, batch_size=2, poll_seconds=60)
    relay.notify()
    running = asyncio.create_task(relay.run())
    try:
        records = await read_topic(bootstrap, topics.tickets, expected=5, within=10)
    finally:
        relay.stop()
        await running
    assert [Envelope.from_bytes(r.value) for r in records] == emitted


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


def _ack(ticket_id: str) -> Envelope:
    return Envelope.wrap(
        TicketAcknowledged(by="alice", acknowledged_at=utc_now()),
        ticket_id=ticket_id,
        client_id="acme",
        producer="tests",
    )


async def _side_effects(engine: AsyncEngine) -> list[str]:
    async with engine.connect() as conn:
        rows = await conn.execute(text("SELECT event_id FROM side_effects"))
    return sorted(r.event_id for r in rows)


async def test_a_batch_runs_in_one_transaction_in_order_with_runs_for_batched_handlers(
    engine: AsyncEngine, topics: Topics
) -> None:
    runs: list[list[str]] = []

    async def record_run(run: list[tuple[TicketAcknowledged, HandlerContext]]) -> None:
        runs.append([ctx.envelope.ticket_id for _, ctx in run])
        for _, ctx in run:
            await ctx.uow.session.execute(
                insert(side_effects).values(event_id=ctx.envelope.event_id)
            )
            await ctx.emit(TicketRouted(title="x", tier="L1", priority=Priority.P3, rule="r"))

    dispatcher = EventDispatcher(
        "batch-consumer", {TicketAcknowledged: [Batched(record_run)]}, lambda: _uow(engine, topics)
    )
    first, second = _ack("b-1"), _ack("b-2")
    before = await _side_effects(engine)
    outcomes = await dispatcher.handle_batch([first, second, first])
    assert outcomes == ["handled", "handled", "duplicate"]
    assert runs == [["b-1", "b-2"]]
    assert await dispatcher.handle_batch([second]) == ["duplicate"]
    assert await dispatcher(first) == "duplicate"  # the one-by-one path sees the same claims
    assert sorted(set(await _side_effects(engine)) - set(before)) == sorted(
        [first.event_id, second.event_id]
    )
    async with engine.connect() as conn:
        keys = (await conn.execute(select(outbox.c.message_key).order_by(outbox.c.id))).all()
    assert [k.message_key for k in keys][-2:] == ["b-1", "b-2"]


async def test_a_failing_batch_keeps_nothing(engine: AsyncEngine, topics: Topics) -> None:
    async def fail_on_second(run: list[tuple[TicketAcknowledged, HandlerContext]]) -> None:
        for _, ctx in run:
            await ctx.uow.session.execute(
                insert(side_effects).values(event_id=ctx.envelope.event_id)
            )
            if ctx.envelope.ticket_id == "f-2":
                raise RuntimeError("second one fails")

    dispatcher = EventDispatcher(
        "failing-consumer",
        {TicketAcknowledged: [Batched(fail_on_second)]},
        lambda: _uow(engine, topics),
    )
    first, second = _ack("f-1"), _ack("f-2")
    with pytest.raises(RuntimeError, match="second one fails"):
        await dispatcher.handle_batch([first, second])
    assert first.event_id not in await _side_effects(engine)
    # Nothing was claimed either: one by one, the first is handled (the runner's fallback).
    assert await dispatcher(first) == "handled"


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


async def test_after_commit_and_after_rollback_callbacks_run_on_their_outcome_only(
    engine: AsyncEngine, topics: Topics
) -> None:
    ran: list[str] = []
    async with _uow(engine, topics) as uow:
        uow.after_commit(lambda: ran.append("committed"))
        uow.after_rollback(lambda: ran.append("undone after a commit"))
        assert ran == []  # not before the commit
    assert ran == ["committed"]

    async def failing_unit() -> None:
        async with _uow(engine, topics) as uow:
            uow.after_commit(lambda: ran.append("committed after a failure"))
            uow.after_rollback(lambda: ran.append("undone"))
            raise RuntimeError("handler failed")

    with pytest.raises(RuntimeError, match="handler failed"):
        await failing_unit()
    assert ran == ["committed", "undone"]

    async def failing_commit() -> None:
        async with _uow(engine, topics) as uow:
            # Refused only at commit: a deferred constraint, like a conflict found late.
            await uow.session.execute(
                text(
                    "CREATE TEMP TABLE late (id int UNIQUE DEFERRABLE INITIALLY DEFERRED) "
                    "ON COMMIT DROP"
                )
            )
            await uow.session.execute(text("INSERT INTO late VALUES (1), (1)"))
            uow.after_commit(lambda: ran.append("committed after a failed commit"))
            uow.after_rollback(lambda: ran.append("undone after a failed commit"))

    with pytest.raises(IntegrityError):
        await failing_commit()
    assert ran == ["committed", "undone", "undone after a failed commit"]


async def test_claims_are_per_consumer_and_an_id_repeated_in_one_batch_is_claimed_once(
    engine: AsyncEngine, topics: Topics
) -> None:
    async with _uow(engine, topics) as uow:
        assert await uow.claim_many("first", ["e-1", "e-2", "e-1"]) == {"e-1", "e-2"}
        assert await uow.claim_many("first", ["e-2", "e-3"]) == {"e-3"}
        assert await uow.claim_many("second", ["e-1"]) == {"e-1"}
        assert await uow.claim_many("second", []) == set()
    async with _uow(engine, topics) as uow:
        assert not await uow.claim("first", "e-3")  # committed
