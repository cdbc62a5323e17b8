"""Wall clocks for on-call schedules: local readings, the instants they map to, weekly windows.

One rule turns a wall-clock time into an instant: the first instant at which the local clock reads
that time or later. A time in the fall-back repeated hour therefore means its first occurrence, and
a time in the spring-forward gap means the moment the clocks jump. The mapping never goes backwards,
so shifts and windows built from it never overlap or run backwards. Its inverse is `wall_clock`,
the latest reading the clock has shown so far: local time, except that it stands still through the
repeated hour after the clocks go back (a boundary passed on the first pass stays passed).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

from escalator_shared.config.oncall import WEEKDAYS, TimeWindow

DAY = timedelta(days=1)
_TICK = timedelta(microseconds=1)


def wall_clock(at: datetime, zone: ZoneInfo) -> datetime:
    """The latest local reading (naive) the clock of `zone` has shown at or before `at`."""
    local = at.astimezone(zone)
    if not local.fold:
        return local.replace(tzinfo=None)
    # Second pass through a repeated hour: the clock already showed later times before going back.
    first_pass = local.replace(fold=0).astimezone(UTC)
    change = _offset_change(first_pass, at.astimezone(UTC), zone)
    return (change - _TICK).astimezone(zone).replace(tzinfo=None)


# The same hand-offs, window edges and override times come back on every look-up.
@lru_cache(maxsize=1 << 16)
def to_instant(wall: datetime, zone: ZoneInfo) -> datetime:
    """The first UTC instant at which the clock of `zone` reads `wall` (naive) or later."""
    instant = wall.replace(tzinfo=zone, fold=0).astimezone(UTC)
    if instant.astimezone(zone).replace(tzinfo=None) == wall:
        return instant
    # `wall` does not exist (spring-forward gap): fold=0 lands after the jump, fold=1 before it.
    before = wall.replace(tzinfo=zone, fold=1).astimezone(UTC)
    return _offset_change(before, instant, zone)


def _offset_change(before: datetime, after: datetime, zone: ZoneInfo) -> datetime:
    """The first instant in (before, after] with `after`'s UTC offset; `before` has another."""
    target = after.astimezone(zone).utcoffset()
    while after - before > _TICK:
        middle = before + (after - before) // 2
        if middle.astimezone(zone).utcoffset() == target:
            after = middle
        else:
            before = middle
    return after


def covers(windows: Sequence[TimeWindow], wall: datetime) -> bool:
    """Whether a wall-clock reading falls in any of the windows; no windows means always."""
    if not windows:
        return True
    today = WEEKDAYS[wall.weekday()]
    yesterday = WEEKDAYS[(wall.weekday() - 1) % 7]
    now = wall.time()
    for window in windows:
        if window.end > window.start:
            if today in window.days and window.start <= now < window.end:
                return True
        # Past midnight (00:00-00:00 is the whole day): from start on a listed day to end the next.
        elif (today in window.days and now >= window.start) or (
            yesterday in window.days and now < window.end
        ):
            return True
    return False


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
