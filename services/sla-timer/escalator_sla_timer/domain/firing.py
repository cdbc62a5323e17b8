"""What a due timer says: a warning, the breach, or a reminder after the breach.

Firing is re-evaluated from the clock's state under its row lock, so a timer whose clock was
paused, stopped or re-targeted since it was scheduled says nothing (or says what is due now).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

from escalator_sla_timer.domain.clock import Calendar, Clock, ClockState


@dataclass(frozen=True)
class Warned:
    """The clock passed `percent` of its target."""

    percent: int


@dataclass(frozen=True)
class Breached:
    """The clock reached its target unfulfilled."""


@dataclass(frozen=True)
class Reminded:
    """The clock is still breached: reminder number `reminder`."""

    reminder: int


Firing = Warned | Breached | Reminded


def fire(clock: Clock, now: datetime, calendar: Calendar) -> tuple[Clock, list[Firing]]:
    """What is due by `now`, and the clock after saying it.

    When the breach is due, warnings not yet given are folded into it; when several warnings
    are due at once (a clock resumed or re-targeted late), only the highest is given.
    """
    if clock.state is not ClockState.RUNNING:
        return clock, []
    if clock.breached_at is None:
        return _before_breach(clock, now, calendar)
    every = clock.alerting.remind_every
    number = clock.reminders + 1
    due = every is not None and number <= clock.alerting.remind_limit
    if due and every is not None and clock.due_at + every * number <= now:
        return replace(clock, reminders=number), [Reminded(number)]
    return clock, []


def _before_breach(clock: Clock, now: datetime, calendar: Calendar) -> tuple[Clock, list[Firing]]:
    if clock.due_at <= now:
        top = max(clock.alerting.warn_at, default=0)
        return replace(clock, breached_at=now, warned=max(clock.warned, top)), [Breached()]
    used = clock.elapsed_at(now, calendar)
    passed = [
        p for p in clock.alerting.warn_at if p > clock.warned and used >= clock.target * p / 100
    ]
    if passed:
        return replace(clock, warned=passed[-1]), [Warned(passed[-1])]
    return clock, []
