"""The durable escalation timer: moves chains whose unacknowledged wait is over, once each.

Due chains are read with `FOR UPDATE SKIP LOCKED`, moved one step, and the move recorded and
announced through the outbox in one transaction. An acknowledged or resolved chain is not
`active` and is never selected, so a stale wait is a no-op; a crash before commit leaves the chain
due for the next scan; after commit it cannot move twice. A router that was down for longer than
several waits moves each overdue chain one step per scan, never skipping a step.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from sqlalchemy import select

from escalator_router.chain_keeper import ChainKeeper, ChainRecord, record_of
from escalator_router.domain.escalation_chain import ChainStatus, time_is_up, timeout
from escalator_router.tables import escalations
from escalator_shared.db.unit_of_work import UnitOfWork
from escalator_shared.events import Event, utc_now
from escalator_shared.polling import PollingLoop


class EscalationTimer:
    """Moves due chains in batches; `loop` runs it in the background."""

    def __init__(
        self,
        unit_of_work: Callable[[], UnitOfWork],
        keeper: ChainKeeper,
        *,
        poll_seconds: float,
        batch_size: int,
        now: Callable[[], datetime] = utc_now,
    ) -> None:
        self._unit_of_work = unit_of_work
        self._keeper = keeper
        self._batch_size = batch_size
        self._now = now
        self.loop = PollingLoop(self._move_full_batch, poll_seconds)

    async def _move_full_batch(self) -> bool:
        return await self.move_due() >= self._batch_size

    async def move_due(self) -> int:
        """Move one batch of due chains one step each; returns how many moved."""
        now = self._now()
        async with self._unit_of_work() as uow:
            rows = (
                await uow.session.execute(
                    select(escalations)
                    .where(
                        escalations.c.status == ChainStatus.ACTIVE.value,
                        escalations.c.next_at <= now,
                    )
                    .order_by(escalations.c.next_at)
                    .limit(self._batch_size)
                    .with_for_update(skip_locked=True)
                )
            ).all()
            for row in rows:
                await self._move(uow, record_of(row), now)
        return len(rows)

    async def _move(self, uow: UnitOfWork, record: ChainRecord, now: datetime) -> None:
        if not time_is_up(record.chain, now):
            return

        async def emit(event: Event) -> object:
            return await uow.emit(
                event,
                ticket_id=record.ticket_id,
                client_id=record.client_id,
                correlation_id=record.correlation_id,
            )

        chain, outcome = timeout(record.policy, record.chain, now)
        await self._keeper.save(uow.session, record, chain, now)
        await self._keeper.publish(uow, record, chain, outcome, now=now, emit=emit)
