"""When a person may be told: the end of their quiet hours, the time of their next digest.

Both read the person's weekly windows and digest time on their own wall clock, so they stay
right across DST changes.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from escalator_shared.config import PersonNotifications, TimeWindow
from escalator_shared.config.oncall import WEEKDAYS, windows_cover


def quiet_until(windows: Sequence[TimeWindow], zone: ZoneInfo, now: datetime) -> datetime | None:
    """When the quiet hours covering `now` end (chained windows count as one), else None.

    The end is the first instant after `now` outside every window: a window's end on the wall
    clock (both readings of a repeated autumn hour), or a DST change that jumps the wall clock
    out of the windows. Configuration refuses quiet hours that cover the whole week.
    """
    if not windows or not windows_cover(windows, now.astimezone(zone)):
        return None
    today = now.astimezone(zone).date()
    days = [today + timedelta(days=offset) for offset in range(-1, 9)]
    candidates = sorted(
        instant
        for instant in (
            *(end for day in days for window in windows for end in _ends_of(window, day, zone)),
            *_changes_of_offset(days, zone),
        )
        if instant > now
    )
    for instant in candidates:
        if not windows_cover(windows, instant.astimezone(zone)):
            return instant
    return None


def _ends_of(window: TimeWindow, day: date, zone: ZoneInfo) -> list[datetime]:
    """The instants a window starting on `day` ends: one, or two when its end falls in the hour
    the clocks repeat."""
    if WEEKDAYS[day.weekday()] not in window.days:
        return []
    end_day = day if window.end > window.start else day + timedelta(days=1)
    return [
        datetime.combine(end_day, window.end, tzinfo=zone).replace(fold=fold).astimezone(UTC)
        for fold in (0, 1)
    ]


def _changes_of_offset(days: list[date], zone: ZoneInfo) -> list[datetime]:
    """The instants the zone's UTC offset changes (DST), found to the second."""
    changes = []
    for day in days:
        low = datetime.combine(day, time(0), tzinfo=zone).astimezone(UTC)
        high = low + timedelta(days=1)
        if low.astimezone(zone).utcoffset() == high.astimezone(zone).utcoffset():
            continue
        while high - low > timedelta(seconds=1):
            middle = low + (high - low) / 2
            if middle.astimezone(zone).utcoffset() == low.astimezone(zone).utcoffset():
                low = middle
            else:
                high = middle
        changes.append(high.replace(microsecond=0))
    return changes


def next_digest_at(rules: PersonNotifications, zone: ZoneInfo, now: datetime) -> datetime:
    """The first digest time after `now`: daily at `digest_at`, or weekly on `digest_day`."""
    today = now.astimezone(zone).date()
    for offset in range(0, 8):
        day = today + timedelta(days=offset)
        if rules.digest_every == "weekly" and WEEKDAYS[day.weekday()] != rules.digest_day:
            continue
        at = _local(day, rules.digest_at, zone)
        if at > now:
            return at
    raise AssertionError("a week always holds a digest time")


def _local(day: date, at: time, zone: ZoneInfo) -> datetime:
    """A wall-clock reading as an instant; in a spring-forward gap, the hour after."""
    wall = datetime.combine(day, at, tzinfo=zone)
    round_trip = wall.astimezone(ZoneInfo("UTC")).astimezone(zone)
    return wall if round_trip.replace(tzinfo=None) == wall.replace(tzinfo=None) else round_trip
