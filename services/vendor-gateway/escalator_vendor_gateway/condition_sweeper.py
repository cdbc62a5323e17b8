"""Engages vendors whose tier conditions have come due (`worked_by`: L2 has had it 30 min)."""

from __future__ import annotations

from collections.abc import Callable

from escalator_shared.db.unit_of_work import UnitOfWork
from escalator_shared.events import utc_now
from escalator_shared.polling import PollingLoop
from escalator_vendor_gateway import case_store, ticket_store
from escalator_vendor_gateway.case_lifecycle import CaseLifecycle


class ConditionSweeper:
    """Prepares waiting automatic cases once their eligible time has passed."""

    def __init__(
        self,
        unit_of_work: Callable[[], UnitOfWork],
        lifecycle: CaseLifecycle,
        *,
        poll_seconds: float,
        batch_size: int = 100,
    ) -> None:
        self._unit_of_work = unit_of_work
        self._lifecycle = lifecycle
        self._batch_size = batch_size
        self.loop = PollingLoop(self.sweep, poll_seconds)

    async def sweep(self) -> bool:
        """Prepare one batch of due cases; True when the batch was full."""
        async with self._unit_of_work() as uow:
            now = utc_now()
            due = await case_store.due_for_conditions(uow.session, now, self._batch_size)
            for row in due:
                ticket = await ticket_store.load_opened(uow.session, row.ticket_id)
                if ticket is not None:
                    await self._lifecycle.prepare(uow, row, ticket, now)
        return len(due) == self._batch_size
