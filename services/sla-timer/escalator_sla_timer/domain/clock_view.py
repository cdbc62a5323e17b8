"""What `GET /v1/tickets/{id}/clocks` shows of a clock: business time used and left, pauses."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Protocol

from escalator_sla_timer.domain.clock import Calendar, Clock, ClockState, elapsed_by

_PAUSE_ENDS = frozenset({"resumed", "cancelled", "fulfilled"})


@dataclass(frozen=True)
class LogEntry:
    """One line of a clock's log."""

    kind: str
    at: datetime
    detail: dict[str, Any]


def paused_intervals(log: Sequence[LogEntry]) -> list[dict[str, datetime | None]]:
    """Each pause from its start to its resume (`until` None while still paused)."""
    intervals: list[dict[str, datetime | None]] = []
    for entry in log:
        if entry.kind == "paused":
            intervals.append({"from": entry.at, "until": None})
        elif entry.kind in _PAUSE_ENDS and intervals and intervals[-1]["until"] is None:
            intervals[-1]["until"] = entry.at
    return intervals


def clock_view(
    clock: Clock, calendar: Calendar, log: Sequence[LogEntry], now: datetime
) -> dict[str, Any]:
    """The clock's figures as of `now` (seconds are business time)."""
    elapsed = clock.elapsed_at(now, calendar)
    live = clock.state in (ClockState.RUNNING, ClockState.PAUSED)
    return {
        "state": clock.state.value,
        "target_seconds": clock.target.total_seconds(),
        "elapsed_seconds": elapsed.total_seconds(),
        "remaining_seconds": (clock.target - elapsed).total_seconds(),
        "started_at": clock.started_at,
        # A paused clock's due time is unknown until it resumes (unless it is already past).
        "due_at": None
        if clock.state is ClockState.PAUSED and clock.breached_at is None
        else clock.due_at,
        "breached": clock.breached_at is not None or (not live and elapsed > clock.target),
        "breached_at": clock.breached_at,
        "stopped_at": clock.stopped_at,
        "warned_percent": clock.warned or None,
        "paused_intervals": paused_intervals(log),
        "log": [{"kind": e.kind, "at": e.at, **e.detail} for e in log],
    }


class RingColumns(Protocol):
    """The stored columns of a live clock a ring is drawn from (a `clocks` row)."""

    @property
    def state(self) -> str: ...
    @property
    def target(self) -> timedelta: ...
    @property
    def elapsed(self) -> timedelta: ...
    @property
    def running_since(self) -> datetime | None: ...
    @property
    def due_at(self) -> datetime: ...
    @property
    def breached_at(self) -> datetime | None: ...
    @property
    def warned(self) -> int: ...


def ring_figures(row: RingColumns, calendar: Calendar, now: datetime) -> dict[str, Any]:
    """A live clock's figures for a queue's ring (GET /v1/clocks), straight from its stored
    columns: what `clock_view` says of them, without building the clock."""
    state = ClockState(row.state)
    used = elapsed_by(state, row.elapsed, row.running_since, now, calendar)
    paused_unbreached = state is ClockState.PAUSED and row.breached_at is None
    return {
        "state": row.state,
        "target_seconds": row.target.total_seconds(),
        "elapsed_seconds": used.total_seconds(),
        "remaining_seconds": (row.target - used).total_seconds(),
        "due_at": None if paused_unbreached else row.due_at,
        "breached": row.breached_at is not None,
        "warned_percent": row.warned or None,
    }
