"""One local date of a business calendar at a time: its open pieces, closed days and holidays.

Time is cut at local midnights (mapped to instants by the shared wall-clock rule), so the days
partition time and every instant belongs to exactly one of them. A day's open time is the union of
the weekly windows that opened on it or spill into it from the evening before; a closed day (public
holiday or listed closed date) has none. Days are worked out once and cached: clocks keep asking
about the same few weeks.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Final
from zoneinfo import ZoneInfo

import holidays

from escalator_shared.config.oncall import WEEKDAYS, TimeWindow
from escalator_shared.config.sla import HolidaySource
from escalator_shared.wall_clock import to_instant, wall_clock

Interval = tuple[datetime, datetime]

ONE_DAY: Final = timedelta(days=1)
NOTHING: Final = timedelta(0)
MIDNIGHT: Final = time(0, 0)
# Enough for any realistic run of consecutive closed days; beyond it a calendar never opens.
SEARCH_DAYS: Final = 3 * 366
# Clocks ask about a few weeks at a time; the bound only stops a long-lived process growing.
_CACHE_LIMIT: Final = 1 << 14


@dataclass(frozen=True, slots=True)
class Day:
    """The open time of one local date: pieces in order, disjoint, not touching; their total."""

    pieces: tuple[Interval, ...]
    total: timedelta


@dataclass(frozen=True, slots=True)
class _Window:
    start: time
    end: time

    @property
    def overnight(self) -> bool:
        # 00:00-00:00 is the whole day, so it too ends on the next date.
        return self.end <= self.start


_WHOLE_DAY: Final = (_Window(MIDNIGHT, MIDNIGHT),)


def merge(intervals: Iterable[Interval]) -> tuple[Interval, ...]:
    """Non-empty intervals sorted, overlapping or touching ones joined."""
    merged: list[Interval] = []
    for start, end in sorted(i for i in intervals if i[0] < i[1]):
        if merged and start <= merged[-1][1]:
            if end > merged[-1][1]:
                merged[-1] = (merged[-1][0], end)
        else:
            merged.append((start, end))
    return tuple(merged)


class BusinessDays:
    """Per-local-date open time of weekly hours in a zone, less holidays and closed days."""

    __slots__ = ("_by_weekday", "_closed", "_days", "_holidays", "_owned", "name", "zone")

    def __init__(
        self,
        name: str,
        zone: ZoneInfo,
        hours: Sequence[TimeWindow],
        holiday_source: HolidaySource | None,
        closed_days: Iterable[date],
    ) -> None:
        self.name = name
        self.zone = zone
        self._by_weekday: tuple[tuple[_Window, ...], ...] = tuple(
            tuple(_Window(w.start, w.end) for w in hours if day in w.days)
            if hours
            else _WHOLE_DAY  # no hours: open around the clock
            for day in WEEKDAYS
        )
        self._closed = frozenset(closed_days)
        self._holidays = _Holidays(name, holiday_source)
        self._days: dict[date, Day] = {}
        self._owned: dict[date, tuple[Interval, ...]] = {}

    def date_of(self, at: datetime) -> date:
        """The local date whose day holds the instant `at` (midnight mid(d) <= at < mid(d + 1))."""
        # The wall-clock rule, not plain local time: were the clocks to go back from 00:30 to 23:30,
        # that second 23:30 would otherwise fall in the previous date, whose day has already ended.
        return wall_clock(at, self.zone).date()

    def midnight(self, day: date) -> datetime:
        """The instant the local date `day` begins."""
        return to_instant(datetime.combine(day, MIDNIGHT), self.zone)

    def is_closed(self, day: date) -> bool:
        """Whether the date is a public holiday or a listed closed day."""
        return day in self._closed or self._holidays.closes(day)

    def day(self, day: date) -> Day:
        """The open time within the local date `day`, from its midnight to the next."""
        found = self._days.get(day)
        if found is None:
            found = self._work_out_day(day)
            if len(self._days) >= _CACHE_LIMIT:
                self._days.clear()
            self._days[day] = found
        return found

    def owned(self, day: date) -> tuple[Interval, ...]:
        """The open time of the windows opened on `day` (overnight ones run into the next date)."""
        found = self._owned.get(day)
        if found is None:
            found = self._work_out_owned(day)
            if len(self._owned) >= _CACHE_LIMIT:
                self._owned.clear()
            self._owned[day] = found
        return found

    def _opened_on(self, day: date) -> Iterable[Interval]:
        zone = self.zone
        for window in self._by_weekday[day.weekday()]:
            ends_on = day + ONE_DAY if window.overnight else day
            yield (
                to_instant(datetime.combine(day, window.start), zone),
                to_instant(datetime.combine(ends_on, window.end), zone),
            )

    def _work_out_day(self, day: date) -> Day:
        if self.is_closed(day):
            return Day((), NOTHING)
        low, high = self.midnight(day), self.midnight(day + ONE_DAY)
        candidates = [*self._opened_on(day), *self._opened_on(day - ONE_DAY)]
        pieces = merge((max(start, low), min(end, high)) for start, end in candidates)
        return Day(pieces, sum((end - start for start, end in pieces), NOTHING))

    def _work_out_owned(self, day: date) -> tuple[Interval, ...]:
        # A closed date closes its own part of a window, and the part of the evening-before's
        # window that runs into it.
        next_midnight = self.midnight(day + ONE_DAY)
        closed_today, closed_tomorrow = self.is_closed(day), self.is_closed(day + ONE_DAY)
        return merge(
            (
                max(start, next_midnight) if closed_today else start,
                min(end, next_midnight) if closed_tomorrow else end,
            )
            for start, end in self._opened_on(day)
        )


class _Holidays:
    """Public holiday dates of a country and region, worked out a year at a time."""

    __slots__ = ("_by_year", "_source")

    def __init__(self, name: str, source: HolidaySource | None) -> None:
        self._source = source
        self._by_year: dict[int, frozenset[date]] = {}
        if source is not None:
            # Fail when the configuration is read, not at the first clock that meets the holidays.
            try:
                holidays.country_holidays(source.country, subdiv=source.subdivision)
            except NotImplementedError as exc:
                raise ValueError(f"calendar {name!r}: unknown holidays: {exc}") from exc

    def closes(self, day: date) -> bool:
        """Whether `day` is a public holiday (observed days included)."""
        if self._source is None:
            return False
        dates = self._by_year.get(day.year)
        if dates is None:
            # The package files an observed day under the year it falls in (31 Dec for 1 Jan).
            found = holidays.country_holidays(
                self._source.country, subdiv=self._source.subdivision, years=day.year
            )
            dates = self._by_year[day.year] = frozenset(found.keys())
        return day in dates
