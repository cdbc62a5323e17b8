"""Publishes committed outbox rows to Kafka, in order, then deletes them."""

from __future__ import annotations

import asyncio
import contextlib
import time
from operator import itemgetter

from prometheus_client import Counter, Gauge
from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlalchemy.sql.dml import ReturningDelete

from escalator_shared.bus.producer import EventProducer
from escalator_shared.db.tables import outbox
from escalator_shared.errors import is_transient
from escalator_shared.outages import Outage

_COUNT_EVERY_SECONDS = 1.0
_COUNT = select(func.count()).select_from(outbox)


def _take_oldest(limit: int) -> ReturningDelete[int, str, str, bytes]:
    """Delete the oldest rows no other relay holds and return them: one statement; the rows
    stay until the transaction commits, after they were published (a failure rolls back)."""
    oldest = (
        select(outbox.c.id)
        .order_by(outbox.c.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
        .scalar_subquery()
    )
    return (
        delete(outbox)
        .where(outbox.c.id.in_(oldest))
        .returning(outbox.c.id, outbox.c.topic, outbox.c.message_key, outbox.c.payload)
    )


class OutboxRelay:
    """Background task: wake on `notify()` or every `poll_seconds`, publish, delete.

    Rows are locked with SKIP LOCKED so several instances of a service share the work. A crash
    between publish and delete republishes rows; consumers drop the repeat by event id.
    """

    def __init__(
        self,
        session_factory: async_sessionmaker[AsyncSession],
        producer: EventProducer,
        *,
        published: Counter,
        pending: Gauge,
        poll_seconds: float = 0.5,
        batch_size: int = 500,
    ) -> None:
        self._session_factory = session_factory
        self._producer = producer
        self._published = published
        self._pending = pending
        self._poll_seconds = poll_seconds
        self._batch_size = batch_size
        self._take = _take_oldest(batch_size)  # built once
        self._wake = asyncio.Event()
        self._counted_at = -_COUNT_EVERY_SECONDS
        self._stopping = False
        self._outage = Outage("outbox relay", first_pause=poll_seconds, longest_pause=5.0)

    def notify(self) -> None:
        """Ask for a relay pass now (called after a unit of work that emitted events commits)."""
        self._wake.set()

    async def run(self) -> None:
        """Relay until `stop()`; transient failures back off and retry."""
        while not self._stopping:
            try:
                # A batch short of full means nothing committed before it was left; what
                # commits later wakes the relay again.
                while await self.relay_batch() == self._batch_size:
                    pass
                self._outage.over()
                pause = self._poll_seconds
            except Exception as exc:
                if not is_transient(exc):
                    raise
                pause = self._outage.failed(exc)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), timeout=pause)
            self._wake.clear()

    def stop(self) -> None:
        """End the loop after the current pass."""
        self._stopping = True
        self._wake.set()

    async def relay_batch(self) -> int:
        """Publish one batch of rows; returns how many were published."""
        async with self._session_factory() as session, session.begin():
            # RETURNING follows no order: the rows are published in the order they were written.
            rows = sorted((await session.execute(self._take)).all(), key=itemgetter(0))
            if rows:
                await self._producer.send_many([(r.topic, r.message_key, r.payload) for r in rows])
                self._published.inc(len(rows))
            # Counting the outbox is a scan: at most once a second, however busy the relay is.
            if time.monotonic() - self._counted_at >= _COUNT_EVERY_SECONDS:
                remaining = await session.scalar(_COUNT)
                self._pending.set(remaining or 0)
                self._counted_at = time.monotonic()
        return len(rows)
