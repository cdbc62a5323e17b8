"""A queue's ring figures (GET /v1/clocks) read from stored columns say what the full clock
view says of the same clock."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest

from escalator_sla_timer.domain.calendars import BusinessCalendar
from escalator_sla_timer.domain.clock import Clock, ClockState
from escalator_sla_timer.domain.clock_view import clock_view, ring_figures

NOW = datetime(2026, 12, 7, 15, 0, tzinfo=UTC)
STARTED = NOW - timedelta(minutes=40)


@dataclass(frozen=True)
class Row:
    """The stored columns, as a `clocks` row holds them."""

    state: str
    target: timedelta
    elapsed: timedelta
    running_since: datetime | None
    due_at: datetime
    breached_at: datetime | None
    warned: int


@pytest.mark.parametrize(
    "clock",
    [
        Clock(
            target=timedelta(hours=1),
            started_at=STARTED,
            due_at=STARTED + timedelta(hours=1),
            running_since=STARTED,
            warned=50,
        ),
        Clock(
            target=timedelta(minutes=30),
            started_at=STARTED,
            due_at=STARTED + timedelta(minutes=30),
            running_since=STARTED,
            breached_at=STARTED + timedelta(minutes=30),
            warned=75,
        ),
        Clock(
            target=timedelta(hours=4),
            started_at=STARTED,
            due_at=STARTED + timedelta(hours=4),
            state=ClockState.PAUSED,
            elapsed=timedelta(minutes=12),
        ),
    ],
)
def test_ring_figures_match_the_clock_view(clock: Clock) -> None:
    calendar = BusinessCalendar.around_the_clock()
    row = Row(
        clock.state.value,
        clock.target,
        clock.elapsed,
        clock.running_since,
        clock.due_at,
        clock.breached_at,
        clock.warned,
    )
    view = clock_view(clock, calendar, [], NOW)
    assert ring_figures(row, calendar, NOW) == {
        k: view[k] for k in ring_figures(row, calendar, NOW)
    }
    assert set(ring_figures(row, calendar, NOW)) == {
        "state",
        "target_seconds",
        "elapsed_seconds",
        "remaining_seconds",
        "due_at",
        "breached",
        "warned_percent",
    }
