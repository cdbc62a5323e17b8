"""Local wall-clock readings and the instants they map to, shared by every service's calendars.

One rule turns a wall-clock time into an instant: the first instant at which the local clock reads
that time or later. A time in the fall-back repeated hour therefore means its first occurrence, and
a time in the spring-forward gap means the moment the clocks jump. The mapping never goes backwards,
so shifts, windows and business days built from it never overlap or run backwards. Its inverse is
`wall_clock`, the latest reading the clock has shown so far: local time, except that it stands
still through the repeated hour after the clocks go back (a boundary passed on the first pass stays
passed). For any reading w and instant t, `wall_clock(t) >= w` exactly when `t >= to_instant(w)`.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

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


# The same hand-offs, window edges and day boundaries come back on every look-up.
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
