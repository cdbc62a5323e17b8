"""Wall clocks for on-call schedules: local readings, the instants they map to, weekly windows.

One rule turns a wall-clock time into an instant: the first instant at which the local clock reads
that time or later. A time in the fall-back repeated hour therefore means its first occurrence, and
a time in the spring-forward gap means the moment the clocks jump. The mapping never goes backwards,
so shifts and windows built from it never overlap or run backwards. Its inverse is `wall_clock`,
the latest reading the clock has shown so far. Both live in `escalator_shared.wall_clock` (the SLA
timer's calendars use the same rule) and are re-exported here for the router.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import date, datetime, time, timedelta

from escalator_shared.config.oncall import WEEKDAYS, TimeWindow
from escalator_shared.wall_clock import to_instant, wall_clock

__all__ = ["DAY", "next_window_edge", "to_instant", "wall_clock", "window_edges"]

DAY = timedelta(days=1)


def window_edges(windows: Sequence[TimeWindow], first: date, last: date) -> Iterator[datetime]:
    """Wall-clock openings and closings of the windows opened on days `first` to `last`."""
    day = first
    while day <= last:
        weekday = WEEKDAYS[day.weekday()]
        for window in windows:
            if weekday in window.days:
                yield datetime.combine(day, window.start)
                yield datetime.combine(day + DAY if window.end <= window.start else day, window.end)
        day += DAY


def next_window_edge(windows: Sequence[TimeWindow], wall: datetime) -> datetime | None:
    """The first window opening or closing after `wall`; None without windows."""
    best: datetime | None = None
    day = wall.date() - DAY  # yesterday's window may close today
    for _ in range(9):  # every weekday comes round within a week
        for edge in window_edges(windows, day, day):
            if edge > wall and (best is None or edge < best):
                best = edge
        day += DAY
        # Windows opened on later days open and close later still.
        if best is not None and best <= datetime.combine(day, time()):
            break
    return best
