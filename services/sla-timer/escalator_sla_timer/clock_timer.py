"""The durable timer: fires clocks whose `fire_at` passed, each firing exactly once.

Sharded with the Kafka consumer group: an instance fires only the clocks whose shard falls in
the `tickets` partitions it owns, so instances share the work. Due rows are read with
`FOR UPDATE SKIP LOCKED` (a rebalance overlap cannot fire one twice), re-evaluated from their
state (a paused, stopped or re-targeted clock says nothing stale), updated with their next
firing, and their events written to the outbox, all in one transaction. A crash before commit
leaves them due for the next scan; after commit they cannot fire again.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime, timedelta

from sqlalchemy import func, select

from escalator_shared.db.unit_of_work import UnitOfWork
from escalator_shared.events import (
    Event,
    SlaBreached,
    SlaBreachReminded,
    SlaWarningReached,
    utc_now,
)
from escalator_shared.polling import PollingLoop
from escalator_sla_timer.clock_keeper import ClockKeeper
from escalator_sla_timer.clock_rows import StoredClock, from_row, seconds
from escalator_sla_timer.domain.clock import Clock
from escalator_sla_timer.domain.firing import Breached, Firing, Reminded, Warned, fire
from escalator_sla_timer.domain.plans import metric_kind
from escalator_sla_timer.tables import clocks

log = logging.getLogger(__name__)

# Owned partitions of the tickets topic and the topic's partition count; None while unassigned.
Ownership = Callable[[], tuple[frozenset[int], int] | None]
_PENDING_SAMPLE_SECONDS = 15.0


class ClockTimer:
    """Fires due clocks in batches; `loop` runs it in the background."""

    def __init__(
        self,
        unit_of_work: Callable[[], UnitOfWork],
        keeper: ClockKeeper,
        ownership: Ownership,
        *,
        poll_seconds: float,
        batch_size: int,
        now: Callable[[], datetime] = utc_now,
    ) -> None:
        self._unit_of_work = unit_of_work
        self._keeper = keeper
        self._ownership = ownership
        self._batch_size = batch_size
        self._now = now
        self._pending_sampled_at: datetime | None = None
        self.loop = PollingLoop(self._fire_full_batch, poll_seconds)

    async def _fire_full_batch(self) -> bool:
        return await self.fire_due() >= self._batch_size

    async def fire_due(self) -> int:
        """Fire one batch of due clocks of the owned shards; returns how many were due."""
        owned = self._ownership()
        if owned is None or not owned[0]:
            return 0
        shards, partitions = owned
        now = self._now()
        async with self._unit_of_work() as uow:
            rows = (
                await uow.session.execute(
                    select(clocks)
                    .where(clocks.c.fire_at <= now, (clocks.c.shard % partitions).in_(shards))
                    .order_by(clocks.c.fire_at)
                    .limit(self._batch_size)
                    .with_for_update(skip_locked=True)
                )
            ).all()
            changed: list[tuple[StoredClock, Clock]] = []
            for row in rows:
                stored = from_row(row)
                calendar = self._keeper.calendars.get(stored.calendar)
                clock, firings = fire(stored.clock, now, calendar)
                changed.append((stored, clock))
                for firing in firings:
                    await self._say(uow, stored, clock, firing, now=now, fell_due=row.fire_at)
            await self._keeper.save_many(uow, changed, not_before=now)
        await self._sample_pending(now)
        return len(rows)

    async def _say(
        self,
        uow: UnitOfWork,
        stored: StoredClock,
        clock: Clock,
        firing: Firing,
        *,
        now: datetime,
        fell_due: datetime,
    ) -> None:
        event: Event
        metrics = self._keeper.metrics
        kind = metric_kind(stored.metric)
        if isinstance(firing, Warned):
            percent = firing.percent
            event = SlaWarningReached(
                clock_id=stored.id, metric=stored.metric, percent=percent, due_at=clock.due_at
            )
            entry, detail = "warned", {"percent": firing.percent}
            warned = metrics.warnings.labels(kind, str(firing.percent), stored.client_id)
            uow.after_commit(warned.inc)
        elif isinstance(firing, Breached):
            event = SlaBreached(
                clock_id=stored.id,
                metric=stored.metric,
                policy=stored.policy,
                target_seconds=seconds(clock.target),
                due_at=clock.due_at,
                breached_at=now,
            )
            entry, detail = "breached", {}
            counter = metrics.breaches.labels(kind, stored.priority, stored.client_id)
            uow.after_commit(counter.inc)
        else:
            assert isinstance(firing, Reminded)
            event = SlaBreachReminded(
                clock_id=stored.id,
                metric=stored.metric,
                reminder=firing.reminder,
                due_at=clock.due_at,
                overdue_seconds=seconds(now - clock.due_at),
            )
            entry, detail = "reminded", {"reminder": firing.reminder}
        lag = (now - fell_due).total_seconds()
        uow.after_commit(lambda: metrics.fire_lag.labels(entry).observe(lag))
        self._keeper.log(uow, stored, entry, now, detail)
        await uow.emit(
            event,
            ticket_id=stored.ticket_id,
            client_id=stored.client_id,
            correlation_id=stored.correlation_id,
        )

    async def _sample_pending(self, now: datetime) -> None:
        """Count the pending timers now and then, in a transaction of its own (not while the
        fired rows are locked)."""
        sampled = self._pending_sampled_at
        if sampled is not None and now - sampled < timedelta(seconds=_PENDING_SAMPLE_SECONDS):
            return
        self._pending_sampled_at = now
        async with self._unit_of_work() as uow:
            query = select(func.count()).select_from(clocks).where(clocks.c.fire_at.is_not(None))
            pending = (await uow.session.execute(query)).scalar_one()
        self._keeper.metrics.pending.set(pending)
