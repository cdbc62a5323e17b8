"""The consumer runner: at-least-once delivery into an idempotent handler, never a silent drop.

- Offsets are committed only after the handler's work committed (auto-commit is off).
- A batch of at most `transaction_size` records is handled in one transaction (`batch_handler`),
  whatever partitions it spans. Otherwise partitions are handled concurrently, records within
  a partition in order, together in transactions of up to `transaction_size` records. Records
  are handled one by one (with retries) only when their transaction fails.
- A failing handler is retried with exponential backoff; after `max_attempts` the message goes to
  the group's dead-letter topic with the error in its headers, and is counted.
- A record whose handler is not ready for it (`NotReadyError`: it waits for an event of another
  topic, perhaps one this very consumer reads) is put off instead of retried in place: its
  partition is paused and rewound to it for the backoff, while the other partitions go on, so
  the awaited event can arrive meanwhile. It is dead-lettered after `max_attempts` tries too.
- Infrastructure outages (`is_transient`) are retried without limit: dead-lettering everything
  while the database restarts would be worse than waiting. A batch whose transaction fails so
  waits whole (rather than going one by one); the outage is logged when it begins and ends.
- A rebalance waits for the batch in hand to finish and commit before partitions move.
"""

from __future__ import annotations

import asyncio
import logging
import random
import time
from collections import Counter
from collections.abc import Awaitable, Callable, Sequence
from datetime import UTC, datetime
from typing import Any, Literal

from aiokafka import AIOKafkaConsumer, ConsumerRecord, TopicPartition
from aiokafka.abc import ConsumerRebalanceListener
from pydantic import ValidationError

from escalator_shared.bus.producer import EventProducer
from escalator_shared.errors import NotReadyError, PermanentError, is_transient
from escalator_shared.events import Envelope
from escalator_shared.observability.logging import current_event_id, current_ticket_id
from escalator_shared.observability.metrics import ConsumerMetrics
from escalator_shared.outages import Outage

log = logging.getLogger(__name__)

Outcome = Literal["handled", "duplicate", "ignored"]
Result = Literal["handled", "duplicate", "ignored", "dead_lettered"]
EnvelopeHandler = Callable[[Envelope], Awaitable[Outcome]]
BatchHandler = Callable[[list[Envelope]], Awaitable[list[Outcome]]]

_MAX_BACKOFF_SECONDS = 10.0
_ERROR_TEXT_LIMIT = 2000
# The header `escalator_shared.dlq replay` marks a replayed record with (its dead letter).
REPLAYED_FROM = "x-replayed-from"


class _StoppingError(Exception):
    """Raised inside a retry loop when the runner is asked to stop."""


class _PutOffError(Exception):
    """A record is not ready to be handled: try it again after `delay` seconds."""

    def __init__(self, delay: float) -> None:
        super().__init__(f"put off for {delay:.2f}s")
        self.delay = delay


class ConsumerRunner:
    """Consume `topics` as `group_id` and feed each envelope to `handler` until stopped."""

    def __init__(
        self,
        *,
        bootstrap_servers: str,
        group_id: str,
        topics: Sequence[str],
        dead_letter_topic: str,
        handler: EnvelopeHandler,
        producer: EventProducer,
        metrics: ConsumerMetrics,
        max_attempts: int = 5,
        retry_base_seconds: float = 0.2,
        batch_size: int = 500,
        batch_handler: BatchHandler | None = None,
        transaction_size: int = 100,
    ) -> None:
        self.group_id = group_id
        self._bootstrap_servers = bootstrap_servers
        self._topics = list(topics)
        self.dead_letter_topic = dead_letter_topic
        self._handler = handler
        self._producer = producer
        self._metrics = metrics
        self._max_attempts = max_attempts
        self._retry_base = retry_base_seconds
        self._batch_size = batch_size
        self._batch_handler = batch_handler
        self._transaction_size = transaction_size
        self._stopping = asyncio.Event()
        self._batch_lock = asyncio.Lock()
        self._committed: dict[TopicPartition, int] = {}
        self._consumer: AIOKafkaConsumer | None = None
        # Tries so far of records put off as not ready, by (topic, partition, offset).
        self._not_ready: dict[tuple[str, int, int], int] = {}
        self._outage = Outage(f"consumer {group_id}", first_pause=retry_base_seconds)

    def stop(self) -> None:
        """Finish the batch in hand, commit it and leave the group."""
        self._stopping.set()

    def owned_partitions(self, topic: str) -> tuple[frozenset[int], int] | None:
        """The partitions of `topic` this member owns now, and how many the topic has;
        None while not running or not yet assigned (work sharded by partition waits)."""
        consumer = self._consumer
        if consumer is None:
            return None
        every = consumer.partitions_for_topic(topic)
        if not every:
            return None
        owned = frozenset(tp.partition for tp in consumer.assignment() if tp.topic == topic)
        return owned, len(every)

    async def run(self) -> None:
        """Consume until `stop()`; an unexpected error propagates without committing."""
        consumer = AIOKafkaConsumer(
            bootstrap_servers=self._bootstrap_servers,
            group_id=self.group_id,
            enable_auto_commit=False,
            auto_offset_reset="earliest",
            isolation_level="read_committed",
            max_poll_interval_ms=600_000,
        )
        consumer.subscribe(self._topics, listener=_WaitForBatch(self._batch_lock))
        await consumer.start()
        self._consumer = consumer
        try:
            while not self._stopping.is_set():
                batches = await consumer.getmany(timeout_ms=300, max_records=self._batch_size)
                if batches:
                    async with self._batch_lock:
                        await self._handle_batches(consumer, batches)
                self._report_lag(consumer)
        except _StoppingError:
            log.info(
                "consumer %s stopping with its batch unfinished; it will be redelivered",
                self.group_id,
            )
        finally:
            self._consumer = None
            await consumer.stop()

    async def _handle_batches(
        self, consumer: AIOKafkaConsumer, batches: dict[TopicPartition, list[ConsumerRecord]]
    ) -> None:
        # A few records spread over partitions go in one transaction (one commit, not one per
        # partition: at a steady trickle most batches look like this); a larger batch is
        # handled partition by partition, the partitions at once.
        every = [record for records in batches.values() for record in records]
        merged = len(batches) > 1 and len(every) <= self._transaction_size
        if merged and await self._handle_together(every):
            ends = [records[-1].offset + 1 for records in batches.values()]
        else:
            ends = await asyncio.gather(*(self._handle_partition(rs) for rs in batches.values()))
        offsets = dict(zip(batches, ends, strict=True))
        await consumer.commit(offsets)
        self._committed.update(offsets)

    async def _handle_partition(self, records: list[ConsumerRecord]) -> int:
        """Handle the records in order; the offset to commit: past the last, or at a record put
        off (its partition paused and rewound to it, what follows it left for later)."""
        for start in range(0, len(records), self._transaction_size):
            chunk = records[start : start + self._transaction_size]
            if not await self._handle_together(chunk):
                for record in chunk:
                    try:
                        await self._handle_record(record)
                    except _PutOffError as put_off:
                        self._put_off(record, put_off.delay)
                        return int(record.offset)
        return int(records[-1].offset) + 1

    def _put_off(self, record: ConsumerRecord, delay: float) -> None:
        consumer = self._consumer
        if consumer is None:
            raise _StoppingError
        tp = TopicPartition(record.topic, record.partition)
        consumer.seek(tp, record.offset)
        consumer.pause(tp)
        asyncio.get_running_loop().call_later(delay, self._resume, tp)

    def _resume(self, tp: TopicPartition) -> None:
        # Stopped since, or after a rebalance elsewhere or assigned anew (not paused then).
        consumer = self._consumer
        if consumer is not None and tp in consumer.assignment():
            consumer.resume(tp)

    async def _handle_together(self, records: list[ConsumerRecord]) -> bool:
        """One transaction for the chunk; False (nothing kept) if anything in it fails."""
        if self._batch_handler is None or len(records) < 2:
            return False
        started = time.perf_counter()
        while True:
            try:
                envelopes = [Envelope.from_bytes(r.value) for r in records]
                outcomes = await self._batch_handler(envelopes)
                break
            except Exception as exc:
                if not is_transient(exc):
                    log.info(
                        "batch of %d on %s failed (%r); handling one by one",
                        len(records),
                        records[0].topic,
                        exc,
                    )
                    return False
                # The database or broker is away: the whole batch waits for it.
                await self._sleep_unless_stopping(self._outage.failed(exc))
        self._outage.over()
        per_record = (time.perf_counter() - started) / len(records)
        seconds = self._metrics.handler_seconds.labels(
            service=self._metrics.service, group=self.group_id
        )
        for _ in records:
            seconds.observe(per_record)
        counted = Counter(zip((r.topic for r in records), outcomes, strict=True))
        for (topic, outcome), count in counted.items():
            self._metrics.messages.labels(
                service=self._metrics.service, group=self.group_id, topic=topic, outcome=outcome
            ).inc(count)
        return True

    async def _handle_record(self, record: ConsumerRecord) -> None:
        labels = {"service": self._metrics.service, "group": self.group_id, "topic": record.topic}
        try:
            envelope = Envelope.from_bytes(record.value)
        except ValidationError as exc:
            log.error("dead-lettering an undecodable message from %s: %s", record.topic, exc)
            await self._dead_letter(record, exc, attempts=1)
            self._metrics.messages.labels(**labels, outcome="dead_lettered").inc()
            return
        ticket_token = current_ticket_id.set(envelope.ticket_id)
        event_token = current_event_id.set(envelope.event_id)
        started = time.perf_counter()
        try:
            outcome = await self._handle_with_retries(record, envelope, labels)
        finally:
            current_ticket_id.reset(ticket_token)
            current_event_id.reset(event_token)
        self._metrics.handler_seconds.labels(
            service=self._metrics.service, group=self.group_id
        ).observe(time.perf_counter() - started)
        self._metrics.messages.labels(**labels, outcome=outcome).inc()
        if any(name == REPLAYED_FROM for name, _ in record.headers or ()):
            self._metrics.replayed.labels(**labels, outcome=outcome).inc()

    async def _handle_with_retries(
        self, record: ConsumerRecord, envelope: Envelope, labels: dict[str, str]
    ) -> Result:
        attempt = 0
        where = (record.topic, record.partition, record.offset)
        while True:
            attempt += 1
            try:
                result = await self._handler(envelope)
            except NotReadyError as exc:
                self._metrics.failures.labels(**labels, error=type(exc).__name__).inc()
                tries = self._not_ready.pop(where, 0) + 1
                if tries >= self._max_attempts:
                    return await self._give_up(record, envelope, exc, tries)
                self._not_ready[where] = tries
                delay = self._backoff(tries)
                log.warning(
                    "%s not ready (attempt %d), put off for %.2fs: %r",
                    envelope.event_type,
                    tries,
                    delay,
                    exc,
                )
                raise _PutOffError(delay) from exc
            except Exception as exc:
                self._metrics.failures.labels(**labels, error=type(exc).__name__).inc()
                transient = is_transient(exc)
                final = isinstance(exc, PermanentError | ValidationError) or (
                    not transient and attempt >= self._max_attempts
                )
                if final:
                    return await self._give_up(record, envelope, exc, attempt)
                delay = self._backoff(attempt)
                if transient:
                    self._outage.failed(exc)  # one warning for the outage, not one per retry
                else:
                    log.warning(
                        "handling %s failed (attempt %d), retrying in %.2fs: %r",
                        envelope.event_type,
                        attempt,
                        delay,
                        exc,
                    )
                await self._sleep_unless_stopping(delay)
            else:
                self._not_ready.pop(where, None)
                self._outage.over()
                return result

    async def _give_up(
        self, record: ConsumerRecord, envelope: Envelope, exc: Exception, attempts: int
    ) -> Result:
        log.error("dead-lettering %s after %d attempt(s): %r", envelope.event_type, attempts, exc)
        await self._dead_letter(record, exc, attempts=attempts)
        self._not_ready.pop((record.topic, record.partition, record.offset), None)
        return "dead_lettered"

    def _backoff(self, attempt: int) -> float:
        delay = min(self._retry_base * 2.0 ** (attempt - 1), _MAX_BACKOFF_SECONDS)
        jitter: float = random.uniform(0.8, 1.2)
        return delay * jitter

    async def _sleep_unless_stopping(self, seconds: float) -> None:
        try:
            await asyncio.wait_for(self._stopping.wait(), timeout=seconds)
        except TimeoutError:
            return
        raise _StoppingError

    async def _dead_letter(self, record: ConsumerRecord, exc: BaseException, attempts: int) -> None:
        headers = [
            ("x-error-type", type(exc).__name__.encode()),
            ("x-error-message", str(exc)[:_ERROR_TEXT_LIMIT].encode()),
            ("x-original-topic", record.topic.encode()),
            ("x-original-partition", str(record.partition).encode()),
            ("x-original-offset", str(record.offset).encode()),
            ("x-consumer-group", self.group_id.encode()),
            ("x-attempts", str(attempts).encode()),
            ("x-failed-at", datetime.now(UTC).isoformat().encode()),
        ]
        key = record.key.decode() if record.key else ""
        await self._producer.send(self.dead_letter_topic, key, record.value or b"", headers)
        self._metrics.dead_lettered.labels(
            service=self._metrics.service, group=self.group_id, topic=record.topic
        ).inc()

    def _report_lag(self, consumer: AIOKafkaConsumer) -> None:
        for tp in consumer.assignment():
            end = consumer.highwater(tp)
            position = self._committed.get(tp)
            if end is None or position is None:
                continue
            self._metrics.lag.labels(
                service=self._metrics.service,
                group=self.group_id,
                topic=tp.topic,
                partition=str(tp.partition),
            ).set(max(0, end - position))


class _WaitForBatch(ConsumerRebalanceListener):  # type: ignore[misc]
    """Before partitions are revoked, wait until the batch in hand is handled and committed."""

    def __init__(self, batch_lock: asyncio.Lock) -> None:
        self._batch_lock = batch_lock

    async def on_partitions_revoked(self, revoked: Any) -> None:
        async with self._batch_lock:
            return

    async def on_partitions_assigned(self, assigned: Any) -> None:
        return
