"""The consumer runner on a real broker: delivery, commit, retry, dead letter, transient errors."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

import pytest

from escalator_shared.bus.consumer import BatchHandler, ConsumerRunner, EnvelopeHandler, Outcome
from escalator_shared.bus.producer import EventProducer
from escalator_shared.errors import NotReadyError
from escalator_shared.events import Envelope, TicketAcknowledged, Topics, utc_now
from escalator_shared.observability.metrics import ServiceMetrics
from tests.harness.kafka_reader import read_topic

pytestmark = pytest.mark.integration


def _envelope(n: int) -> Envelope:
    event = TicketAcknowledged(by=f"person-{n}", acknowledged_at=utc_now())
    return Envelope.wrap(event, ticket_id=f"ticket-{n}", client_id="acme", producer="tests")


async def _publish(producer: EventProducer, topic: str, count: int) -> list[Envelope]:
    envelopes = [_envelope(n) for n in range(count)]
    for e in envelopes:
        await producer.send(topic, e.ticket_id, e.to_bytes())
    return envelopes


def _runner(
    bootstrap: str,
    topics: Topics,
    *,
    producer: EventProducer,
    handler: EnvelopeHandler,
    metrics: ServiceMetrics,
    max_attempts: int = 3,
    retry_base_seconds: float = 0.01,
    batch_handler: BatchHandler | None = None,
    consumed: list[str] | None = None,
) -> ConsumerRunner:
    group = f"{topics.prefix}probe"
    return ConsumerRunner(
        bootstrap_servers=bootstrap,
        group_id=group,
        topics=consumed or [topics.tickets],
        dead_letter_topic=topics.dead_letter("probe"),
        handler=handler,
        producer=producer,
        metrics=metrics.for_consumer(group),
        max_attempts=max_attempts,
        retry_base_seconds=retry_base_seconds,
        batch_handler=batch_handler,
    )


async def _run_until(runner: ConsumerRunner, done: Callable[[], bool], within: float = 20) -> None:
    task = asyncio.create_task(runner.run())
    try:
        async with asyncio.timeout(within):
            while not done():  # noqa: ASYNC110 - polling a plain predicate is the point here
                await asyncio.sleep(0.05)
    finally:
        runner.stop()
        await task


def _recorder(seen: list[str]) -> Callable[[Envelope], Awaitable[Outcome]]:
    async def handle(envelope: Envelope) -> Outcome:
        seen.append(envelope.event_id)
        return "handled"

    return handle


async def test_delivers_everything_and_commits_so_a_restart_sees_nothing_again(
    bootstrap: str, topics: Topics, producer: EventProducer
) -> None:
    sent = await _publish(producer, topics.tickets, 30)
    metrics = ServiceMetrics.create("probe")
    seen: list[str] = []
    await _run_until(
        _runner(bootstrap, topics, producer=producer, handler=_recorder(seen), metrics=metrics),
        lambda: len(seen) >= 30,
    )
    assert sorted(seen) == sorted(e.event_id for e in sent)

    again: list[str] = []
    late = await _publish(producer, topics.tickets, 1)
    await _run_until(
        _runner(bootstrap, topics, producer=producer, handler=_recorder(again), metrics=metrics),
        lambda: len(again) >= 1,
    )
    assert again == [late[0].event_id]
    handled = metrics.registry.get_sample_value(
        "escalator_consumer_messages_total",
        {
            "service": "probe",
            "group": f"{topics.prefix}probe",
            "topic": topics.tickets,
            "outcome": "handled",
        },
    )
    assert handled == 31


async def test_a_failing_message_is_retried_then_dead_lettered_with_its_error(
    bootstrap: str, topics: Topics, producer: EventProducer
) -> None:
    poison, good = await _publish(producer, topics.tickets, 2)
    attempts: dict[str, int] = {}
    handled: list[str] = []

    async def handle(envelope: Envelope) -> Outcome:
        attempts[envelope.event_id] = attempts.get(envelope.event_id, 0) + 1
        if envelope.event_id == poison.event_id:
            raise ValueError("no such person as person-0")
        handled.append(envelope.event_id)
        return "handled"

    metrics = ServiceMetrics.create("probe")
    labels = {"service": "probe", "group": f"{topics.prefix}probe", "topic": topics.tickets}

    def poison_dead_lettered() -> bool:
        count = metrics.registry.get_sample_value("escalator_consumer_dead_lettered_total", labels)
        return bool(handled) and count == 1

    await _run_until(
        _runner(
            bootstrap, topics, producer=producer, handler=handle, metrics=metrics, max_attempts=3
        ),
        poison_dead_lettered,
    )
    assert attempts[poison.event_id] == 3
    assert handled == [good.event_id]

    dead = await read_topic(bootstrap, topics.dead_letter("probe"), expected=1)
    assert len(dead) == 1
    headers = {k: v.decode() for k, v in dead[0].headers}
    assert headers["x-error-type"] == "ValueError"
    assert headers["x-error-message"] == "no such person as person-0"
    assert headers["x-attempts"] == "3"
    assert headers["x-original-topic"] == topics.tickets
    assert Envelope.from_bytes(dead[0].value) == poison
    assert metrics.registry.get_sample_value("escalator_consumer_dead_lettered_total", labels) == 1
    assert (
        metrics.registry.get_sample_value(
            "escalator_consumer_handler_failures_total", {**labels, "error": "ValueError"}
        )
        == 3
    )


async def test_an_undecodable_message_goes_to_the_dead_letter_topic_at_once(
    bootstrap: str, topics: Topics, producer: EventProducer
) -> None:
    await producer.send(topics.tickets, "k", b"{not json")
    good = (await _publish(producer, topics.tickets, 1))[0]
    seen: list[str] = []
    await _run_until(
        _runner(
            bootstrap,
            topics,
            producer=producer,
            handler=_recorder(seen),
            metrics=ServiceMetrics.create("probe"),
        ),
        lambda: bool(seen),
    )
    assert seen == [good.event_id]
    dead = await read_topic(bootstrap, topics.dead_letter("probe"), expected=1)
    assert [r.value for r in dead] == [b"{not json"]
    assert dict(dead[0].headers)["x-error-type"] == b"ValidationError"


async def test_infrastructure_errors_are_retried_past_the_attempt_limit_not_dead_lettered(
    bootstrap: str, topics: Topics, producer: EventProducer
) -> None:
    sent = (await _publish(producer, topics.tickets, 1))[0]
    calls: list[int] = []

    async def handle(_envelope: Envelope) -> Outcome:
        calls.append(1)
        if len(calls) <= 4:
            raise ConnectionRefusedError("database restarting")
        return "handled"

    metrics = ServiceMetrics.create("probe")
    await _run_until(
        _runner(
            bootstrap, topics, producer=producer, handler=handle, metrics=metrics, max_attempts=2
        ),
        lambda: len(calls) >= 5,
    )
    assert len(calls) == 5
    labels = {"service": "probe", "group": f"{topics.prefix}probe", "topic": topics.tickets}
    assert (
        metrics.registry.get_sample_value("escalator_consumer_dead_lettered_total", labels) is None
    )
    assert sent.event_id


async def test_a_batch_that_fails_is_handled_one_by_one_and_only_the_poison_is_dead_lettered(
    bootstrap: str, topics: Topics, producer: EventProducer
) -> None:
    # One key, so every message lands on one partition and arrives in one batch.
    envelopes = [_envelope(n) for n in range(6)]
    for envelope in envelopes:
        await producer.send(topics.tickets, "one-key", envelope.to_bytes())
    poison = envelopes[3]
    batches: list[int] = []
    one_by_one: list[str] = []

    async def handle_batch(batch: list[Envelope]) -> list[Outcome]:
        batches.append(len(batch))
        if any(e.event_id == poison.event_id for e in batch):
            raise ValueError("the batch holds a poison message")
        return ["handled"] * len(batch)

    async def handle(envelope: Envelope) -> Outcome:
        if envelope.event_id == poison.event_id:
            raise ValueError("poison")
        one_by_one.append(envelope.event_id)
        return "handled"

    metrics = ServiceMetrics.create("probe")
    labels = {"service": "probe", "group": f"{topics.prefix}probe", "topic": topics.tickets}

    def done() -> bool:
        handled = metrics.registry.get_sample_value(
            "escalator_consumer_messages_total", {**labels, "outcome": "handled"}
        )
        return handled == 5

    runner = _runner(
        bootstrap,
        topics,
        producer=producer,
        handler=handle,
        metrics=metrics,
        max_attempts=2,
        batch_handler=handle_batch,
    )
    await _run_until(runner, done)
    assert batches  # the batch path was tried
    assert poison.event_id not in one_by_one
    dead = await read_topic(bootstrap, topics.dead_letter("probe"), expected=1)
    assert [Envelope.from_bytes(d.value) for d in dead] == [poison]


async def test_a_small_batch_spread_over_partitions_and_topics_is_handled_in_one_transaction(
    bootstrap: str, topics: Topics, producer: EventProducer
) -> None:
    # Waiting before the runner starts, so that its first fetch finds them all.
    on_tickets = await _publish(producer, topics.tickets, 6)  # six keys: several partitions
    on_routing = [_envelope(n + 100) for n in range(2)]
    for envelope in on_routing:
        await producer.send(topics.routing, envelope.ticket_id, envelope.to_bytes())
    calls: list[set[str]] = []

    async def handle_batch(batch: list[Envelope]) -> list[Outcome]:
        calls.append({e.event_id for e in batch})
        return ["handled"] * len(batch)

    metrics = ServiceMetrics.create("probe")
    seen: list[str] = []
    runner = _runner(
        bootstrap,
        topics,
        producer=producer,
        handler=_recorder(seen),
        metrics=metrics,
        batch_handler=handle_batch,
        consumed=[topics.tickets, topics.routing],
    )
    await _run_until(runner, lambda: len(set().union(*calls, seen)) >= 8)
    assert not seen  # nothing fell back to one by one
    both = {e.event_id for e in on_tickets[:1] + on_routing[:1]}
    assert any(both <= call for call in calls), "no transaction held both topics' events"

    def handled(topic: str) -> float | None:
        return metrics.registry.get_sample_value(
            "escalator_consumer_messages_total",
            {"service": "probe", "group": f"{topics.prefix}probe", "topic": topic}
            | {"outcome": "handled"},
        )

    assert (handled(topics.tickets), handled(topics.routing)) == (6, 2)


async def test_a_record_not_ready_is_put_off_while_the_event_it_waits_for_arrives_on_another_topic(
    bootstrap: str, topics: Topics, producer: EventProducer
) -> None:
    # `waiting` (tickets topic) needs `awaited` (routing topic) handled first; `awaited` is
    # published only once `waiting` has been tried, so it can only arrive while the same
    # runner keeps consuming. `after` follows `waiting` on its partition (same key).
    waiting, after = _envelope(1), _envelope(1)
    awaited = _envelope(2)
    handled: list[str] = []
    tries = 0

    async def handle(envelope: Envelope) -> Outcome:
        nonlocal tries
        if envelope.event_id == waiting.event_id and awaited.event_id not in handled:
            tries += 1
            if tries == 1:
                await producer.send(topics.routing, awaited.ticket_id, awaited.to_bytes())
            raise NotReadyError("the awaited event has not arrived")
        handled.append(envelope.event_id)
        return "handled"

    for envelope in (waiting, after):
        await producer.send(topics.tickets, envelope.ticket_id, envelope.to_bytes())
    metrics = ServiceMetrics.create("probe")
    runner = _runner(
        bootstrap,
        topics,
        producer=producer,
        handler=handle,
        metrics=metrics,
        max_attempts=5,
        retry_base_seconds=0.2,
        consumed=[topics.tickets, topics.routing],
    )
    await _run_until(runner, lambda: len(handled) >= 3)
    assert handled == [awaited.event_id, waiting.event_id, after.event_id]
    assert 1 <= tries < 5  # put off, not dead-lettered
    assert await read_topic(bootstrap, topics.dead_letter("probe"), expected=1, within=1) == []
