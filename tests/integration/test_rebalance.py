"""Two members of one consumer group: partitions move while messages flow, nothing is lost."""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Callable

import pytest

from escalator_shared.bus.consumer import ConsumerRunner, Outcome
from escalator_shared.bus.producer import EventProducer
from escalator_shared.events import Envelope, TicketAcknowledged, Topics, utc_now
from escalator_shared.observability.metrics import ServiceMetrics

pytestmark = pytest.mark.integration


async def test_a_member_joining_and_leaving_mid_stream_loses_and_repeats_nothing(
    bootstrap: str, topics: Topics, producer: EventProducer
) -> None:
    seen: Counter[str] = Counter()
    by_member: Counter[str] = Counter()

    def member(name: str) -> ConsumerRunner:
        async def handle(envelope: Envelope) -> Outcome:
            seen[envelope.event_id] += 1
            by_member[name] += 1
            await asyncio.sleep(0.002)  # a handler that takes a little time, like a real one
            return "handled"

        group = f"{topics.prefix}probe"
        return ConsumerRunner(
            bootstrap_servers=bootstrap,
            group_id=group,
            topics=[topics.tickets],
            dead_letter_topic=topics.dead_letter("probe"),
            handler=handle,
            producer=producer,
            metrics=ServiceMetrics.create("probe").for_consumer(group),
            batch_size=20,
        )

    sent: list[str] = []
    publishing_done = asyncio.Event()

    async def publish() -> None:
        n = 0
        while not publishing_done.is_set():
            n += 1
            event = TicketAcknowledged(by="alice", acknowledged_at=utc_now())
            envelope = Envelope.wrap(event, ticket_id=f"t-{n}", client_id="c", producer="tests")
            await producer.send(topics.tickets, envelope.ticket_id, envelope.to_bytes())
            sent.append(envelope.event_id)
            await asyncio.sleep(0.002)

    async def wait_until(condition: Callable[[], bool]) -> None:
        async with asyncio.timeout(30):
            while not condition():  # noqa: ASYNC110 - polling a counter is the point here
                await asyncio.sleep(0.05)

    first, second = member("first"), member("second")
    first_task = asyncio.create_task(first.run())
    publishing = asyncio.create_task(publish())
    await wait_until(lambda: by_member["first"] > 0)
    second_task = asyncio.create_task(second.run())  # joins: partitions are reassigned
    await wait_until(lambda: by_member["second"] > 20)
    second.stop()  # leaves: its partitions move back to the first member
    await second_task
    handled_before_leaving = by_member["first"]
    await wait_until(lambda: by_member["first"] > handled_before_leaving + 50)
    publishing_done.set()
    await publishing
    await wait_until(lambda: len(seen) >= len(sent))
    first.stop()
    await first_task
    assert set(seen) == set(sent)
    repeated = {k: v for k, v in seen.items() if v > 1}
    assert repeated == {}
    assert by_member["second"] > 0, "the second member never got a partition: no rebalance"
    assert by_member["first"] > 0
