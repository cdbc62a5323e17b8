"""The one way services write to Kafka: idempotent, acks=all, delivery awaited."""

from __future__ import annotations

from collections.abc import Sequence

from aiokafka import AIOKafkaProducer

from escalator_shared.bus.partition_batches import PartitionBatches

Headers = list[tuple[str, bytes]]


class EventProducer:
    """A started aiokafka producer with enable_idempotence (which forces acks=all)."""

    def __init__(self, bootstrap_servers: str, client_id: str) -> None:
        self._bootstrap_servers = bootstrap_servers
        self._client_id = client_id
        self._started: AIOKafkaProducer | None = None
        self._batches: PartitionBatches | None = None

    @property
    def _producer(self) -> AIOKafkaProducer:
        if self._started is None:
            raise RuntimeError("EventProducer used before start()")
        return self._started

    async def start(self) -> None:
        """Connect to the cluster (aiokafka needs the running event loop, so not in __init__)."""
        producer = AIOKafkaProducer(
            bootstrap_servers=self._bootstrap_servers,
            client_id=self._client_id,
            enable_idempotence=True,
            acks="all",
            linger_ms=2,
            max_batch_size=256 * 1024,
            request_timeout_ms=15000,
        )
        await producer.start()
        self._started = producer
        self._batches = PartitionBatches(producer)

    async def stop(self) -> None:
        """Flush what is queued and disconnect."""
        if self._batches is not None:
            await self._batches.stop()
            self._batches = None
        if self._started is not None:
            await self._started.stop()
            self._started = None

    async def send(
        self, topic: str, key: str, value: bytes, headers: Headers | None = None
    ) -> None:
        """Send one message and wait until the broker acknowledged it on all in-sync replicas."""
        future = await self._producer.send(
            topic, value=value, key=key.encode(), headers=headers or []
        )
        await future

    async def send_many(self, messages: Sequence[tuple[str, str, bytes]]) -> None:
        """Send (topic, key, value) messages and wait for every acknowledgement.

        Several go through `PartitionBatches` (one record batch per partition, shared with other
        callers' messages of the same moment), each on the partition `send` would choose.
        """
        if len(messages) == 1:
            topic, key, value = messages[0]
            await self.send(topic, key, value)  # the common single alert
            return
        if self._batches is None:
            raise RuntimeError("EventProducer used before start()")
        await self._batches.send(messages)

    async def ping(self) -> None:
        """Raise unless the cluster answers a metadata request."""
        await self._producer.client.fetch_all_metadata()
