"""Keeps a service's IssuedTokens current from the compacted `access` topic.

Every instance of every service reads the whole topic itself (no consumer group: each must know
every token), from its start at boot and then as tokens change, so a revocation reaches all of
them within moments. Until it has read up to the end offsets it found at boot the service is not
ready (`/readyz` says `tokens: catching up`), so a restarted service never refuses a live token
it has not read yet.
"""

from __future__ import annotations

import asyncio
import logging

from aiokafka import AIOKafkaConsumer, TopicPartition

from escalator_shared.access.issued_tokens import IssuedTokens
from escalator_shared.events import ApiTokenChanged, Envelope, decode

log = logging.getLogger(__name__)

_POLL_MS = 200


class TokenFeed:
    """Reads token changes into an IssuedTokens; a background task of the service runtime."""

    def __init__(self, bootstrap_servers: str, topic: str, tokens: IssuedTokens) -> None:
        self._bootstrap_servers = bootstrap_servers
        self._topic = topic
        self._tokens = tokens
        self._caught_up = False
        self._stopping = asyncio.Event()

    async def run(self) -> None:
        """Read from the topic's start; apply each change; until stopped."""
        self._stopping.clear()
        # Without a group, a subscription is every partition of the topic, read from the start.
        consumer = AIOKafkaConsumer(
            self._topic,
            bootstrap_servers=self._bootstrap_servers,
            group_id=None,
            enable_auto_commit=False,
            auto_offset_reset="earliest",
            isolation_level="read_committed",
        )
        await consumer.start()
        try:
            boot_ends: dict[TopicPartition, int] | None = None
            while not self._stopping.is_set():
                batches = await consumer.getmany(timeout_ms=_POLL_MS)
                for records in batches.values():
                    for record in records:
                        self._apply(record.value)
                if self._caught_up or not consumer.assignment():
                    continue
                if boot_ends is None:
                    boot_ends = await consumer.end_offsets(list(consumer.assignment()))
                positions = {tp: await consumer.position(tp) for tp in boot_ends}
                if all(positions[tp] >= end for tp, end in boot_ends.items()):
                    self._caught_up = True
                    log.info("read %d live API tokens from %s", len(self._tokens), self._topic)
        finally:
            await consumer.stop()

    def _apply(self, raw: bytes | None) -> None:
        if raw is None:  # a tombstone: nothing to keep
            return
        event = decode(Envelope.from_bytes(raw))
        if not isinstance(event, ApiTokenChanged):
            raise TypeError(f"{self._topic} carries only ApiTokenChanged, not {type(event)}")
        self._tokens.apply(event)

    def stop(self) -> None:
        """Finish the current poll and return."""
        self._stopping.set()

    async def check(self) -> None:
        """Readiness: raises until the tokens issued before boot are all known."""
        if not self._caught_up:
            raise RuntimeError("catching up on issued API tokens")
