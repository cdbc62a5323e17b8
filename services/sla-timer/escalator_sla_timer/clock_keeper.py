"""Stores clock changes and says them: each change is a row update, a log entry and an event."""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Awaitable, Callable, Sequence
from datetime import datetime, timedelta
from functools import partial
from typing import Any

from sqlalchemy import bindparam, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from escalator_shared.db.bulk_insert import copy_rows
from escalator_shared.db.unit_of_work import UnitOfWork
from escalator_shared.events import (
    Envelope,
    Event,
    Priority,
    SlaClockPaused,
    SlaClockResumed,
    SlaClockRetargeted,
    SlaClockStarted,
    SlaClockStopped,
    new_id,
)
from escalator_sla_timer.clock_rows import StoredClock, from_row, new_row, seconds, state_values
from escalator_sla_timer.domain import clock as transitions
from escalator_sla_timer.domain.clock import Clock, ClockState
from escalator_sla_timer.domain.plans import CalendarBook, ClockPlan, metric_kind
from escalator_sla_timer.sla_metrics import SlaMetrics
from escalator_sla_timer.tables import clock_log, clocks
from escalator_sla_timer.ticket_facts import KnownTicket

Emit = Callable[[Event], Awaitable[Envelope]]
log = logging.getLogger(__name__)
_RETRY_LATER = timedelta(seconds=1)
LIVE = (ClockState.RUNNING.value, ClockState.PAUSED.value)


class ClockKeeper:
    """Loads, starts and changes clocks within a unit of work."""

    def __init__(self, calendars: CalendarBook, metrics: SlaMetrics) -> None:
        self.calendars = calendars
        self.metrics = metrics

    async def load(
        self, session: AsyncSession, ticket_id: str, *, live_only: bool = True
    ) -> list[StoredClock]:
        """The ticket's clocks (running or paused unless `live_only` is False), locked."""
        query = select(clocks).where(clocks.c.ticket_id == ticket_id)
        if live_only:
            query = query.where(clocks.c.state.in_(LIVE))
        rows = (await session.execute(query.order_by(clocks.c.cycle).with_for_update())).all()
        return [from_row(row) for row in rows]

    def new(
        self,
        plan: ClockPlan,
        ticket: KnownTicket,
        at: datetime,
        *,
        cycle: int = 0,
        vendor: str | None = None,
        case_reference: str | None = None,
    ) -> StoredClock:
        """A clock started from a plan (not yet stored: see `insert`)."""
        calendar = self.calendars.get(plan.calendar)
        return StoredClock(
            id=new_id(),
            ticket_id=ticket.ticket_id,
            client_id=ticket.facts.client_id,
            metric=plan.metric,
            cycle=cycle,
            policy=plan.policy,
            calendar=plan.calendar,
            priority=ticket.facts.priority.value,
            correlation_id=ticket.correlation_id,
            drill=ticket.drill,
            vendor=vendor,
            case_reference=case_reference,
            clock=transitions.start(plan.target, at, calendar, plan.alerting),
        )

    async def insert(self, uow: UnitOfWork, started: Sequence[StoredClock]) -> None:
        """Store new clocks in one statement, log them; their events are the caller's."""
        if not started:
            return
        rows = [new_row(s, self.calendars.get(s.calendar)) for s in started]
        await copy_rows(uow.session, clocks, rows)
        for stored in started:
            self.log(uow, stored, "started", stored.clock.started_at, {})
        started_by = Counter((metric_kind(s.metric), s.client_id) for s in started)
        for (kind, client), count in started_by.items():
            uow.after_commit(partial(self.metrics.started.labels(kind, client).inc, count))

    async def start(self, uow: UnitOfWork, emit: Emit, started: Sequence[StoredClock]) -> None:
        """Store new clocks and say each started."""
        await self.insert(uow, started)
        for stored in started:
            await emit(self.started_event(stored))

    @staticmethod
    def started_event(stored: StoredClock) -> SlaClockStarted:
        """What a new clock says."""
        return SlaClockStarted(
            clock_id=stored.id,
            metric=stored.metric,
            policy=stored.policy,
            target_seconds=seconds(stored.clock.target),
            due_at=stored.clock.due_at,
            calendar=stored.calendar,
            started_at=stored.clock.started_at,
        )

    async def save(
        self,
        uow: UnitOfWork,
        stored: StoredClock,
        clock: Clock,
        *,
        kind: str,
        at: datetime,
        detail: dict[str, Any] | None = None,
        priority: Priority | None = None,
    ) -> None:
        """Store a transition (and a new priority) and log it (the event is the caller's)."""
        values = state_values(clock, self.calendars.get(stored.calendar))
        if priority is not None:
            values["priority"] = priority.value
        await uow.session.execute(update(clocks).where(clocks.c.id == stored.id).values(values))
        self.log(uow, stored, kind, at, detail or {})

    async def save_many(
        self,
        uow: UnitOfWork,
        changed: Sequence[tuple[StoredClock, Clock]],
        *,
        not_before: datetime,
    ) -> None:
        """Store several transitions in one statement (the timer's batches); a next firing
        not after `not_before` waits a second rather than spin."""
        if not changed:
            return
        rows = []
        for stored, clock in changed:
            values = state_values(clock, self.calendars.get(stored.calendar))
            if values["fire_at"] is not None and values["fire_at"] <= not_before:
                log.warning("clock %s fell due with nothing to say; retrying later", stored.id)
                values["fire_at"] = not_before + _RETRY_LATER
            rows.append({"b_id": stored.id, **values})
        # The SET clause comes from the parameters' keys (one executemany round).
        await uow.session.execute(update(clocks).where(clocks.c.id == bindparam("b_id")), rows)

    def log(
        self, uow: UnitOfWork, stored: StoredClock, kind: str, at: datetime, detail: dict[str, Any]
    ) -> None:
        """Add an entry to the clock's log (written at commit)."""
        uow.insert_later(
            clock_log,
            {
                "clock_id": stored.id,
                "ticket_id": stored.ticket_id,
                "kind": kind,
                "at": at,
                "detail": detail,
            },
        )

    async def stop(
        self, uow: UnitOfWork, emit: Emit, stored: StoredClock, outcome: ClockState, at: datetime
    ) -> None:
        """Fulfil or cancel a clock."""
        calendar = self.calendars.get(stored.calendar)
        clock = transitions.stop(stored.clock, at, calendar, outcome)
        await self.save(uow, stored, clock, kind=outcome.value, at=at)
        attainment = "met" if clock.elapsed <= clock.target else "missed"
        counter = self.metrics.stopped.labels(
            metric_kind(stored.metric), outcome.value, attainment, stored.client_id
        )
        uow.after_commit(counter.inc)
        await emit(
            SlaClockStopped(
                clock_id=stored.id,
                metric=stored.metric,
                outcome=outcome.value,
                elapsed_seconds=seconds(clock.elapsed),
                stopped_at=at,
            )
        )

    async def pause(
        self, uow: UnitOfWork, emit: Emit, stored: StoredClock, reason: str, at: datetime
    ) -> None:
        """Stop counting while the ticket waits."""
        calendar = self.calendars.get(stored.calendar)
        clock = transitions.pause(stored.clock, at, calendar)
        await self.save(uow, stored, clock, kind="paused", at=at, detail={"reason": reason})
        await emit(
            SlaClockPaused(
                clock_id=stored.id,
                metric=stored.metric,
                reason=reason,
                paused_at=at,
                elapsed_seconds=seconds(clock.elapsed),
                remaining_seconds=seconds(clock.target - clock.elapsed),
            )
        )

    async def resume(
        self, uow: UnitOfWork, emit: Emit, stored: StoredClock, at: datetime, kind: str = "resumed"
    ) -> None:
        """Count again (after a pause, or a fulfilled clock on reopen)."""
        calendar = self.calendars.get(stored.calendar)
        move = transitions.resume if stored.clock.state is ClockState.PAUSED else transitions.reopen
        clock = move(stored.clock, at, calendar)
        await self.save(uow, stored, clock, kind=kind, at=at)
        await emit(
            SlaClockResumed(
                clock_id=stored.id, metric=stored.metric, resumed_at=at, due_at=clock.due_at
            )
        )

    async def retarget(
        self,
        uow: UnitOfWork,
        emit: Emit,
        stored: StoredClock,
        clock: Clock,
        *,
        priority: Priority,
        at: datetime,
        reason: str,
    ) -> None:
        """Store a recalculated clock (new target or due time) and say why."""
        detail = {"reason": reason, "priority": priority.value}
        await self.save(
            uow, stored, clock, kind="recalculated", at=at, detail=detail, priority=priority
        )
        await emit(
            SlaClockRetargeted(
                clock_id=stored.id,
                metric=stored.metric,
                priority=priority,
                previous_target_seconds=seconds(stored.clock.target),
                target_seconds=seconds(clock.target),
                due_at=clock.due_at,
                reason=reason,
            )
        )
