"""One clock's life as pure transitions: start, pause, resume, stop, retarget, fire.

A clock counts business time in its calendar. While running it keeps the business time used
before `running_since` in `elapsed`; its breach instant (`due_at`) and next firing (`fire_at`:
the next warning, the breach or a reminder) follow from that and the calendar. A paused or
stopped clock has no `fire_at`, which is what makes a stale timer a no-op.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Protocol

ZERO = timedelta(0)


class ClockState(StrEnum):
    """Where a clock is in its life."""

    RUNNING = "running"
    PAUSED = "paused"
    FULFILLED = "fulfilled"
    CANCELLED = "cancelled"


class Calendar(Protocol):
    """The calendar arithmetic a clock needs (the domain's `BusinessCalendar`)."""

    def business_time(self, start: datetime, end: datetime) -> timedelta:
        """Open time in [start, end)."""
        ...

    def add_business_time(self, start: datetime, amount: timedelta) -> datetime:
        """The earliest instant at which `amount` of open time has passed since `start`."""
        ...


@dataclass(frozen=True)
class Alerting:
    """When a clock speaks up: warnings at percentages, reminders after a breach."""

    warn_at: tuple[int, ...] = (50, 75)
    remind_every: timedelta | None = None
    remind_limit: int = 0


@dataclass(frozen=True)
class Clock:
    """A clock's state; every transition returns a new one."""

    target: timedelta
    started_at: datetime
    due_at: datetime
    state: ClockState = ClockState.RUNNING
    elapsed: timedelta = ZERO
    running_since: datetime | None = None
    stopped_at: datetime | None = None
    breached_at: datetime | None = None
    warned: int = 0
    reminders: int = 0
    alerting: Alerting = Alerting()

    def elapsed_at(self, now: datetime, calendar: Calendar) -> timedelta:
        """Business time used by `now`."""
        return elapsed_by(self.state, self.elapsed, self.running_since, now, calendar)

    def remaining_at(self, now: datetime, calendar: Calendar) -> timedelta:
        """Business time left by `now` (negative once overdue)."""
        return self.target - self.elapsed_at(now, calendar)

    def fire_at(self, calendar: Calendar) -> datetime | None:
        """The next instant the timer has something to say; None when paused or stopped."""
        if self.state is not ClockState.RUNNING or self.running_since is None:
            return None
        if self.breached_at is None:
            warning = self._next_warning()
            if warning is not None:
                threshold = self.target * warning / 100
                if threshold <= self.elapsed:
                    return self.running_since
                return min(
                    calendar.add_business_time(self.running_since, threshold - self.elapsed),
                    self.due_at,
                )
            return self.due_at
        return self._next_reminder_at()

    def _next_warning(self) -> int | None:
        return next((p for p in self.alerting.warn_at if p > self.warned), None)

    def _next_reminder_at(self) -> datetime | None:
        every = self.alerting.remind_every
        if every is None or self.reminders >= self.alerting.remind_limit:
            return None
        return self.due_at + every * (self.reminders + 1)


def start(
    target: timedelta, at: datetime, calendar: Calendar, alerting: Alerting = Alerting()
) -> Clock:
    """A running clock from `at`."""
    return Clock(
        target=target,
        started_at=at,
        due_at=calendar.add_business_time(at, target),
        running_since=at,
        alerting=alerting,
    )


def pause(clock: Clock, at: datetime, calendar: Calendar) -> Clock:
    """Stop counting, keeping the business time used so far."""
    if clock.state is not ClockState.RUNNING:
        return clock
    return replace(
        clock,
        state=ClockState.PAUSED,
        elapsed=clock.elapsed_at(at, calendar),
        running_since=None,
    )


def resume(clock: Clock, at: datetime, calendar: Calendar) -> Clock:
    """Count again from `at`; a clock already overdue keeps the instant it fell due."""
    if clock.state is not ClockState.PAUSED:
        return clock
    return _running_from(replace(clock, state=ClockState.RUNNING, stopped_at=None), at, calendar)


def reopen(clock: Clock, at: datetime, calendar: Calendar) -> Clock:
    """A fulfilled clock counts on from where it stopped (policy `on_reopen: resume`)."""
    if clock.state is not ClockState.FULFILLED:
        return clock
    return _running_from(replace(clock, state=ClockState.RUNNING, stopped_at=None), at, calendar)


def stop(clock: Clock, at: datetime, calendar: Calendar, outcome: ClockState) -> Clock:
    """Fulfil or cancel; a stopped clock never fires."""
    if clock.state in (ClockState.FULFILLED, ClockState.CANCELLED):
        return clock
    return replace(
        clock,
        state=outcome,
        elapsed=clock.elapsed_at(at, calendar),
        running_since=None,
        stopped_at=at,
    )


def retarget(
    clock: Clock, target: timedelta, at: datetime, calendar: Calendar, *, restart: bool = False
) -> Clock:
    """A new target from `at`: keeping the business time used, or counting it from zero."""
    elapsed = ZERO if restart else clock.elapsed_at(at, calendar)
    moved = replace(clock, target=target, elapsed=elapsed)
    if clock.state is ClockState.RUNNING:
        return _running_from(moved, at, calendar)
    return moved


def override_due(clock: Clock, due_at: datetime, at: datetime, calendar: Calendar) -> Clock:
    """A person sets the due time: the target becomes the business time up to it."""
    elapsed = clock.elapsed_at(at, calendar)
    target = elapsed + calendar.business_time(at, due_at)
    moved = replace(clock, target=target, elapsed=elapsed, due_at=max(due_at, at))
    if clock.state is ClockState.RUNNING:
        return replace(moved, running_since=at)
    return moved


def _running_from(clock: Clock, at: datetime, calendar: Calendar) -> Clock:
    remaining = clock.target - clock.elapsed
    if remaining > ZERO:
        due_at = calendar.add_business_time(at, remaining)
    elif clock.breached_at is not None:
        due_at = clock.due_at
    else:
        due_at = at
    return replace(clock, running_since=at, due_at=due_at)


def elapsed_by(
    state: ClockState,
    elapsed: timedelta,
    running_since: datetime | None,
    now: datetime,
    calendar: Calendar,
) -> timedelta:
    """Business time a clock in `state` has used by `now`: what it had, plus the business time
    since it last started running."""
    if state is ClockState.RUNNING and running_since is not None:
        return elapsed + calendar.business_time(running_since, now)
    return elapsed
