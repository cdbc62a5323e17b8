"""Commands people give clocks: a manager sets a due time, with a recorded reason."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from escalator_shared.db.unit_of_work import UnitOfWork
from escalator_shared.events import Envelope, Event, Priority, utc_now
from escalator_sla_timer.clock_keeper import ClockKeeper
from escalator_sla_timer.domain.clock import override_due


class ClockNotFoundError(LookupError):
    """No live clock with that id on that ticket."""


@dataclass(frozen=True)
class ClockCommands:
    """Changes to clocks requested through the API."""

    unit_of_work: Callable[[], UnitOfWork]
    keeper: ClockKeeper

    async def set_due(
        self, ticket_id: str, clock_id: str, due_at: datetime, reason: str, by: str
    ) -> datetime:
        """Override a running or paused clock's due time; returns it."""
        now = utc_now()
        async with self.unit_of_work() as uow:
            found = [c for c in await self.keeper.load(uow.session, ticket_id) if c.id == clock_id]
            if not found:
                raise ClockNotFoundError(clock_id)
            stored = found[0]
            calendar = self.keeper.calendars.get(stored.calendar)
            clock = override_due(stored.clock, due_at, now, calendar)

            async def emit(event: Event) -> Envelope:
                return await uow.emit(
                    event,
                    ticket_id=ticket_id,
                    client_id=stored.client_id,
                    correlation_id=stored.correlation_id,
                )

            why = f"due time set by {by}: {reason}"
            priority = Priority(stored.priority)
            await self.keeper.retarget(
                uow, emit, stored, clock, priority=priority, at=now, reason=why
            )
        return clock.due_at
