"""Dead letters back to their topic (`escalator_shared.dlq`): a replay is handled at most once."""

from __future__ import annotations

import asyncio
import json
import os
import sys
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager

import pytest
from sqlalchemy import column, insert, table, text
from sqlalchemy.ext.asyncio import AsyncEngine

from escalator_shared.bus.admin import ensure_topics
from escalator_shared.bus.consumer import ConsumerRunner
from escalator_shared.bus.dispatcher import EventDispatcher, HandlerContext
from escalator_shared.bus.producer import EventProducer
from escalator_shared.db.engine import build_session_factory
from escalator_shared.db.unit_of_work import UnitOfWork
from escalator_shared.dlq import read_dead_letters, replay, select
from escalator_shared.events import Envelope, TicketAcknowledged, Topics, utc_now
from escalator_shared.observability.metrics import ServiceMetrics

pytestmark = pytest.mark.integration

side_effects = table("side_effects", column("event_id"))
# (group name, ticket id) whose handler fails until the test "fixes the cause".
_broken_pairs: set[tuple[str, str]] = set()


def _ack(ticket: str) -> Envelope:
    event = TicketAcknowledged(by="tech", acknowledged_at=utc_now())
    return Envelope.wrap(event, ticket_id=ticket, client_id="acme", producer="tests")


def _runner(
    bootstrap: str, topics: Topics, engine: AsyncEngine, producer: EventProducer, name: str
) -> tuple[ConsumerRunner, ServiceMetrics]:
    async def open_ticket(_event: TicketAcknowledged, ctx: HandlerContext) -> None:
        if (name, ctx.envelope.ticket_id) in _broken_pairs:
            raise RuntimeError(f"{name} cannot handle {ctx.envelope.ticket_id}")
        await ctx.uow.session.execute(insert(side_effects).values(event_id=ctx.envelope.event_id))

    group = f"{topics.prefix}{name}"
    dispatcher = EventDispatcher(
        group,
        {TicketAcknowledged: [open_ticket]},
        lambda: UnitOfWork(build_session_factory(engine), topics, "probe"),
    )
    metrics = ServiceMetrics.create("probe")
    runner = ConsumerRunner(
        bootstrap_servers=bootstrap,
        group_id=group,
        topics=[topics.tickets],
        dead_letter_topic=topics.dead_letter(name),
        handler=dispatcher,
        producer=producer,
        metrics=metrics.for_consumer(group),
        max_attempts=2,
        retry_base_seconds=0.01,
    )
    return runner, metrics


async def _count(engine: AsyncEngine, event_id: str) -> int:
    async with engine.connect() as conn:
        found = await conn.scalar(
            text("SELECT count(*) FROM side_effects WHERE event_id = :id"), {"id": event_id}
        )
    return int(found or 0)


def _sample(metrics: ServiceMetrics, name: str, **labels: str) -> float:
    return metrics.registry.get_sample_value(name, {"service": "probe", **labels}) or 0.0


@asynccontextmanager
async def _running(*runners: ConsumerRunner) -> AsyncIterator[None]:
    tasks = [asyncio.create_task(runner.run()) for runner in runners]
    try:
        yield
    finally:
        for runner in runners:
            runner.stop()
        await asyncio.gather(*tasks)


async def _until(done: Callable[[], bool], within: float = 30) -> None:
    async with asyncio.timeout(within):
        while not done():  # noqa: ASYNC110 - polling a plain predicate is the point here
            await asyncio.sleep(0.05)


async def test_replaying_dead_letters_creates_what_was_lost_once_and_nothing_twice(
    bootstrap: str, topics: Topics, engine: AsyncEngine, producer: EventProducer
) -> None:
    runner, metrics = _runner(bootstrap, topics, engine, producer, "probe")
    labels = {"group": runner.group_id, "topic": topics.tickets}
    async with _running(runner):
        lost, handled = _ack("t-lost"), _ack("t-handled")
        _broken_pairs.add(("probe", "t-lost"))
        for envelope in (lost, handled):
            await producer.send(topics.tickets, envelope.ticket_id, envelope.to_bytes())
        dead = "escalator_consumer_dead_lettered_total"
        await _until(lambda: _sample(metrics, dead, **labels) == 1)
        dlq = topics.dead_letter("probe")
        letters = await read_dead_letters(bootstrap, dlq)
        assert [letter.summary()["event_type"] for letter in letters] == ["TicketAcknowledged"]
        assert letters[0].original_topic == topics.tickets
        assert await _count(engine, lost.event_id) == 0
        assert await _count(engine, handled.event_id) == 1

        _broken_pairs.discard(("probe", "t-lost"))  # the cause is fixed: replay, twice
        chosen = select(letters, letter_id=letters[0].id, since=None)
        assert await replay(producer, dlq, chosen) == 1
        assert await replay(producer, dlq, chosen) == 1
        replayed = "escalator_dlq_replayed_total"
        await _until(lambda: _sample(metrics, replayed, **labels, outcome="duplicate") == 1)
        assert _sample(metrics, replayed, **labels, outcome="handled") == 1
        assert await _count(engine, lost.event_id) == 1  # created once, by the first replay


async def test_a_replay_of_an_event_another_group_dead_lettered_is_a_duplicate_here(
    bootstrap: str, topics: Topics, engine: AsyncEngine, producer: EventProducer
) -> None:
    await ensure_topics(bootstrap, [topics.dead_letter("other")], 3, 1)
    first, first_metrics = _runner(bootstrap, topics, engine, producer, "probe")
    other, other_metrics = _runner(bootstrap, topics, engine, producer, "other")
    async with _running(first, other):
        envelope = _ack("t-both")
        _broken_pairs.add(("other", "t-both"))
        await producer.send(topics.tickets, envelope.ticket_id, envelope.to_bytes())
        labels = {"group": other.group_id, "topic": topics.tickets}
        dead = "escalator_consumer_dead_lettered_total"
        await _until(lambda: _sample(other_metrics, dead, **labels) == 1)
        first_labels = {"group": first.group_id, "topic": topics.tickets}
        handled = "escalator_consumer_messages_total"
        await _until(
            lambda: _sample(first_metrics, handled, **first_labels, outcome="handled") == 1
        )
        _broken_pairs.discard(("other", "t-both"))
        dlq = topics.dead_letter("other")
        assert await replay(producer, dlq, await read_dead_letters(bootstrap, dlq)) == 1
        replayed = "escalator_dlq_replayed_total"
        await _until(lambda: _sample(other_metrics, replayed, **labels, outcome="handled") == 1)
        await _until(
            lambda: _sample(first_metrics, replayed, **first_labels, outcome="duplicate") == 1
        )
        # One row per group that handled it (each group's own side effect), never a second.
        assert await _count(engine, envelope.event_id) == 2


async def _command(bootstrap: str, topics: Topics, *args: str) -> tuple[int, str, str]:
    env = {
        **os.environ,  # noqa: TID251 - the command's own environment, plus its settings
        "ESCALATOR_KAFKA_BOOTSTRAP_SERVERS": bootstrap,
        "ESCALATOR_TOPIC_PREFIX": topics.prefix,
    }
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "escalator_shared.dlq",
        *args,
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await process.communicate()
    return process.returncode or 0, out.decode(), err.decode()


async def test_the_operator_command_lists_shows_and_replays_a_dead_letter(
    bootstrap: str, topics: Topics, engine: AsyncEngine, producer: EventProducer
) -> None:
    runner, metrics = _runner(bootstrap, topics, engine, producer, "probe")
    labels = {"group": runner.group_id, "topic": topics.tickets}
    async with _running(runner):
        lost = _ack("t-cli")
        _broken_pairs.add(("probe", "t-cli"))
        await producer.send(topics.tickets, lost.ticket_id, lost.to_bytes())
        dead = "escalator_consumer_dead_lettered_total"
        await _until(lambda: _sample(metrics, dead, **labels) == 1)

        status, out, err = await _command(bootstrap, topics, "list", "--group", "probe")
        assert status == 0, err
        (line,) = out.splitlines()
        listed = json.loads(line)
        assert listed["event_type"] == "TicketAcknowledged"
        assert "cannot handle t-cli" in listed["error"]
        assert "1 dead letter(s)" in err

        status, out, _ = await _command(
            bootstrap, topics, "show", "--group", "probe", "--id", listed["id"]
        )
        assert status == 0
        assert json.loads(out)["value"]["event_id"] == lost.event_id
        missing = ("show", "--group", "probe", "--id", "9:9")
        status, _, err = await _command(bootstrap, topics, *missing)
        assert status == 1
        assert "no such dead letter" in err

        _broken_pairs.discard(("probe", "t-cli"))
        status, out, _ = await _command(
            bootstrap, topics, "replay", "--group", f"{topics.prefix}probe", "--id", listed["id"]
        )
        assert status == 0
        assert out.strip().startswith("replayed 1 of 1")
        replayed = "escalator_dlq_replayed_total"
        await _until(lambda: _sample(metrics, replayed, **labels, outcome="handled") == 1)
        assert await _count(engine, lost.event_id) == 1
