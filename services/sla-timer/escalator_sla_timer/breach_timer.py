"""The durable timer: fires running clocks that fell due, each exactly once.

Due clocks are read with `FOR UPDATE SKIP LOCKED`, marked breached and their SlaBreached event
written to the outbox in one transaction. A clock stopped meanwhile (acknowledged, resolved) is
no longer `running` and is never selected, so a stale timer is a no-op; a crash before commit
leaves the clock running for the next scan; after commit it cannot fire again.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from sqlalchemy import select, update

from escalator_shared.db.unit_of_work import UnitOfWork
from escalator_shared.events import SlaBreached, utc_now
from escalator_shared.polling import PollingLoop
from escalator_sla_timer.domain.clocks import ClockState
from escalator_sla_timer.tables import clocks


class BreachTimer:
    """Fires due clocks in batches; `loop` runs it in the background."""

    def __init__(
        self,
        unit_of_work: Callable[[], UnitOfWork],
        *,
        poll_seconds: float,
        batch_size: int,
        now: Callable[[], datetime] = utc_now,
    ) -> None:
        self._unit_of_work = unit_of_work
        self._batch_size = batch_size
        self._now = now
        self.loop = PollingLoop(self._fire_full_batch, poll_seconds)

    async def _fire_full_batch(self) -> bool:
        return await self.fire_due() >= self._batch_size

    async def fire_due(self) -> int:
        """Breach one batch of due clocks; returns how many fired."""
        now = self._now()
        async with self._unit_of_work() as uow:
            due = (
                await uow.session.execute(
                    select(clocks)
                    .where(clocks.c.state == ClockState.RUNNING.value, clocks.c.due_at <= now)
                    .order_by(clocks.c.due_at)
                    .limit(self._batch_size)
                    .with_for_update(skip_locked=True)
                )
            ).all()
            if not due:
                return 0
            await uow.session.execute(
                update(clocks)
                .where(clocks.c.id.in_([c.id for c in due]))
                .values(state=ClockState.BREACHED.value, stopped_at=now)
            )
            for clock in due:
                await uow.emit(
                    SlaBreached(
                        clock_id=clock.id,
                        metric=clock.metric,
                        policy=clock.policy,
                        target_seconds=clock.target_seconds,
                        due_at=clock.due_at,
                        breached_at=now,
                    ),
                    ticket_id=clock.ticket_id,
                    client_id=clock.client_id,
                    correlation_id=clock.correlation_id,
                )
        return len(due)
