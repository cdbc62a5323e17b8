"""The bus around the SLA timer: speaking as a service that does not emit an event yet (the vendor
gateway's case events, a router re-route), and reading the `sla` stream back."""

from __future__ import annotations

import asyncio
import time

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer

from escalator_shared.events import Envelope, Event, Topics
from tests.e2e.conftest import RunningSystem


def publish(
    system: RunningSystem, event: Event, *, ticket_id: str, producer: str, client_id: str = "acme"
) -> Envelope:
    """Put `event` on its stream's topic, keyed by the ticket, as `producer` would."""
    envelope = Envelope.wrap(event, ticket_id=ticket_id, client_id=client_id, producer=producer)
    topic = Topics(system.namespace.topic_prefix).for_stream(event.stream)
    asyncio.run(_send(system.kafka_bootstrap_servers, topic, ticket_id, envelope))
    return envelope


async def _send(bootstrap: str, topic: str, key: str, envelope: Envelope) -> None:
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, acks="all")
    await producer.start()
    try:
        await producer.send_and_wait(topic, envelope.to_bytes(), key=key.encode())
    finally:
        await producer.stop()


def sla_stream(system: RunningSystem, event_type: str) -> list[Envelope]:
    """Every `event_type` envelope on the `sla` topic so far, from its beginning."""
    topic = Topics(system.namespace.topic_prefix).sla
    envelopes = asyncio.run(_read_to_end(system.kafka_bootstrap_servers, topic))
    return [e for e in envelopes if e.event_type == event_type]


async def _read_to_end(bootstrap: str, topic: str, within: float = 15.0) -> list[Envelope]:
    # Without a group the consumer is assigned every partition of the topic when it starts.
    consumer = AIOKafkaConsumer(
        topic, bootstrap_servers=bootstrap, enable_auto_commit=False, auto_offset_reset="earliest"
    )
    await consumer.start()
    try:
        partitions = list(consumer.assignment())
        assert partitions, f"topic {topic} has no partitions"
        ends = await consumer.end_offsets(partitions)
        envelopes: list[Envelope] = []
        deadline = time.monotonic() + within
        while [tp for tp in partitions if await consumer.position(tp) < ends[tp]]:
            assert time.monotonic() < deadline, f"{topic} not read to its end within {within}s"
            for batch in (await consumer.getmany(timeout_ms=200)).values():
                envelopes.extend(Envelope.from_bytes(record.value) for record in batch)
        return envelopes
    finally:
        await consumer.stop()
