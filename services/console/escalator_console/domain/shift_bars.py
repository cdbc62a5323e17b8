"""An on-call timeline drawn as bars: each shift's place and width within the window, and the
day marks under it, all in the viewer's zone."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from escalator_console.domain.local_time import parse_time


@dataclass(frozen=True)
class Bar:
    """One shift as a bar: left edge and width in percent of the window."""

    person: str | None
    source: str
    start: datetime
    end: datetime
    left: float
    width: float


@dataclass(frozen=True)
class DayMark:
    """Midnight of one day in the viewer's zone, as a percentage of the window."""

    label: str
    left: float


def shift_bars(shifts: Sequence[Mapping[str, Any]], start: datetime, end: datetime) -> list[Bar]:
    """The shifts clipped to [start, end) as bars (gaps have person None)."""
    span = (end - start).total_seconds() or 1.0
    bars = []
    for shift in shifts:
        begin, finish = parse_time(shift.get("start")), parse_time(shift.get("end"))
        if begin is None or finish is None:
            continue
        begin, finish = max(begin, start), min(finish, end)
        if finish <= begin:
            continue
        bars.append(
            Bar(
                person=shift.get("person"),
                source=str(shift.get("source", "")),
                start=begin,
                end=finish,
                left=round((begin - start).total_seconds() / span * 100, 3),
                width=round((finish - begin).total_seconds() / span * 100, 3),
            )
        )
    return bars


def day_marks(start: datetime, end: datetime, zone: ZoneInfo) -> list[DayMark]:
    """Each local midnight within the window, labelled 'Mon 7'."""
    span = (end - start).total_seconds() or 1.0
    local = start.astimezone(zone)
    day = local.replace(hour=0, minute=0, second=0, microsecond=0)
    marks = []
    while day < end:
        if day >= start:
            left = (day - start).total_seconds() / span * 100
            marks.append(DayMark(f"{day:%a} {day.day}", round(left, 3)))
        day = (day + timedelta(days=1, hours=2)).replace(hour=0)  # safe across DST changes
    return marks
