"""The producer's batches: every message once, in order, on the partition `send` gives its key."""

from __future__ import annotations

import asyncio
from collections import defaultdict

from escalator_shared.bus.producer import EventProducer
from escalator_shared.events import Topics
from tests.harness.kafka_reader import read_topic


async def test_a_batch_lands_each_key_where_single_sends_do_in_order_and_once(
    producer: EventProducer, bootstrap: str, topics: Topics
) -> None:
    keys = [f"ticket-{n}" for n in range(60)]
    # Three messages a key, interleaved, in one batch; then one more a key sent on its own.
    batch = [
        (topics.tickets, key, f"{key}:{round_}".encode()) for round_ in range(3) for key in keys
    ]
    await producer.send_many(batch)
    for key in keys:
        await producer.send(topics.tickets, key, f"{key}:single".encode())

    records = await read_topic(bootstrap, topics.tickets, expected=len(keys) * 4)

    assert len(records) == len(keys) * 4
    partitions_of: dict[str, set[int]] = defaultdict(set)
    values_of: dict[str, list[str]] = defaultdict(list)
    for record in sorted(records, key=lambda r: (r.partition, r.offset)):
        assert record.key is not None
        assert record.value is not None
        partitions_of[record.key.decode()].add(record.partition)
        values_of[record.key.decode()].append(record.value.decode())
    assert set(values_of) == set(keys)
    for key in keys:
        assert len(partitions_of[key]) == 1, f"{key} was spread over {partitions_of[key]}"
        assert values_of[key] == [f"{key}:0", f"{key}:1", f"{key}:2", f"{key}:single"]
    # The keys spread over the topic's partitions (three in these tests), not all on one.
    assert len({p for ps in partitions_of.values() for p in ps}) == 3


async def test_a_batch_larger_than_one_record_batch_is_split_and_all_of_it_arrives(
    producer: EventProducer, bootstrap: str, topics: Topics
) -> None:
    # 400 messages of 2 KiB on one key: more than one 256 KiB record batch.
    value = b"x" * 2048
    messages = [(topics.alerts, "one-key", value + str(n).encode()) for n in range(400)]
    await producer.send_many(messages)

    records = await read_topic(bootstrap, topics.alerts, expected=400)

    assert [r.value for r in records] == [m[2] for m in messages]


async def test_concurrent_callers_share_rounds_and_each_gets_all_its_messages_in_order(
    producer: EventProducer, bootstrap: str, topics: Topics
) -> None:
    keys = [f"device-{n}" for n in range(10)]

    async def caller(number: int) -> None:
        # Each caller's three messages a key go out in the order it gave them.
        await producer.send_many(
            [(topics.alerts, key, f"{number}:{step}".encode()) for step in range(3) for key in keys]
        )

    await asyncio.gather(*(caller(n) for n in range(40)))

    records = await read_topic(bootstrap, topics.alerts, expected=40 * 30)

    assert len(records) == 40 * 30
    steps: dict[tuple[str, str], list[int]] = defaultdict(list)
    partitions_of: dict[str, set[int]] = defaultdict(set)
    for record in sorted(records, key=lambda r: (r.partition, r.offset)):
        assert record.key is not None
        assert record.value is not None
        number, step = record.value.decode().split(":")
        steps[(record.key.decode(), number)].append(int(step))
        partitions_of[record.key.decode()].add(record.partition)
    assert len(steps) == 40 * len(keys)
    assert all(sequence == [0, 1, 2] for sequence in steps.values())
    assert all(len(partitions) == 1 for partitions in partitions_of.values())


async def test_stopping_sends_what_callers_queued_first(bootstrap: str, topics: Topics) -> None:
    producer = EventProducer(bootstrap, "tests-stop")
    await producer.start()
    sends = [
        asyncio.create_task(
            producer.send_many([(topics.routing, f"k{n}", b"a"), (topics.routing, f"k{n}", b"b")])
        )
        for n in range(20)
    ]
    await asyncio.sleep(0)  # let them queue
    await producer.stop()

    await asyncio.gather(*sends)
    records = await read_topic(bootstrap, topics.routing, expected=40)
    assert len(records) == 40
