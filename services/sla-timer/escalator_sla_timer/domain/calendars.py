"""Business time: when a calendar is open, how much open time lies between instants, and targets.

Open time is the union of a calendar's weekly windows on each local date, their wall-clock edges
mapped to instants by the shared rule (`escalator_shared.wall_clock`), so a 09:00-17:00 window stays
8 hours across DST and a whole-day window lasts 23 or 25 hours on change days. A closed day (public
holiday or listed date) removes everything from its midnight to the next. Without hours a calendar
is open around the clock, closed days still excepted. Arithmetic is exact to the microsecond and
walks day by day over cached days, never second by second. Every answer is in UTC.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from escalator_shared.config import Client
from escalator_shared.config.oncall import TimeWindow
from escalator_shared.config.sla import AROUND_THE_CLOCK, Calendar, HolidaySource
from escalator_sla_timer.domain.business_days import (
    NOTHING,
    ONE_DAY,
    SEARCH_DAYS,
    BusinessDays,
    Interval,
)


class BusinessCalendar:
    """A calendar's open time and the business-time arithmetic SLA clocks need (immutable)."""

    __slots__ = ("_always_open", "_days")

    def __init__(
        self,
        name: str,
        time_zone: str = "UTC",
        hours: Sequence[TimeWindow] = (),
        holidays: HolidaySource | None = None,
        closed_days: Iterable[date] = (),
    ) -> None:
        self._days = BusinessDays(name, ZoneInfo(time_zone), hours, holidays, closed_days)
        # No hours and no closed days: business time is elapsed time, no days to walk.
        self._always_open = not hours and holidays is None and not closed_days

    @classmethod
    def around_the_clock(cls) -> BusinessCalendar:
        """Always open; days are counted in UTC."""
        return cls(AROUND_THE_CLOCK)

    @classmethod
    def from_config(cls, calendar: Calendar) -> BusinessCalendar:
        """The calendar an operator configured, named by its id."""
        return cls(
            calendar.id, calendar.time_zone, calendar.hours, calendar.holidays, calendar.closed_days
        )

    @classmethod
    def for_client(cls, client: Client) -> BusinessCalendar:
        """The client's own business hours, zone, holidays and closed days."""
        return cls(
            f"client {client.id}",
            client.time_zone,
            client.business_hours,
            client.holidays,
            client.closed_days,
        )

    @property
    def name(self) -> str:
        """The calendar's id (or `client <id>`), for messages."""
        return self._days.name

    @property
    def zone(self) -> ZoneInfo:
        """The time zone its hours and days are read in."""
        return self._days.zone

    def __repr__(self) -> str:
        return f"BusinessCalendar({self.name!r}, {self.zone.key!r})"

    def is_open(self, at: datetime) -> bool:
        """Whether the calendar is open at the instant `at`."""
        at = _utc(at)
        day = self._days.day(self._days.date_of(at))
        return any(start <= at < end for start, end in day.pieces)

    def open_intervals(self, start: datetime, end: datetime) -> Iterator[Interval]:
        """Open intervals within [start, end), in order, adjacent ones joined."""
        start, end = _utc(start), _utc(end)
        if end <= start:
            return
        pending: Interval | None = None
        day, last = self._days.date_of(start), self._days.date_of(end)
        while day <= last:
            for piece_start, piece_end in self._days.day(day).pieces:
                low, high = max(piece_start, start), min(piece_end, end)
                if low >= high:
                    continue
                # An overnight window is cut at midnight into two days' pieces; join them again.
                if pending is not None and pending[1] == low:
                    pending = (pending[0], high)
                    continue
                if pending is not None:
                    yield pending
                pending = (low, high)
            day += ONE_DAY
        if pending is not None:
            yield pending

    def business_time(self, start: datetime, end: datetime) -> timedelta:
        """The open time within [start, end); nothing if `end` is not after `start`."""
        start, end = _utc(start), _utc(end)
        if end <= start:
            return NOTHING
        if self._always_open:
            return end - start
        first, last = self._days.date_of(start), self._days.date_of(end)
        total = NOTHING
        day = first
        while day <= last:
            info = self._days.day(day)
            if first < day < last:
                total += info.total  # a whole day inside the span
            else:
                for piece_start, piece_end in info.pieces:
                    low, high = max(piece_start, start), min(piece_end, end)
                    if low < high:
                        total += high - low
            day += ONE_DAY
        return total

    def add_business_time(self, start: datetime, amount: timedelta) -> datetime:
        """The earliest instant at or after `start` by which `amount` of open time has passed."""
        start = _utc(start)
        if amount < NOTHING:
            raise ValueError(f"cannot add negative business time {amount}")
        if amount == NOTHING or self._always_open:
            return start + amount
        remaining = amount
        first = last_open = day = self._days.date_of(start)
        while True:
            info = self._days.day(day)
            if info.total:
                last_open = day
            if day > first and info.total < remaining:
                remaining -= info.total  # the whole day is used up: skip its pieces
            else:
                for piece_start, piece_end in info.pieces:
                    low = max(piece_start, start)
                    if low >= piece_end:
                        continue
                    # At the latest the end of this piece, never the next opening.
                    if remaining <= piece_end - low:
                        return low + remaining
                    remaining -= piece_end - low
            day += ONE_DAY
            self._check_search(last_open, day, start)

    def end_of_business_day(self, at: datetime) -> datetime:
        """When the business day `at` falls in ends, or the next one if none is left today."""
        at = _utc(at)
        today = self._days.date_of(at)
        owned = self._days.owned(today)
        if not any(start <= at < end for start, end in owned):
            # Inside last night's overnight window: that window's business day is still running.
            yesterday = self._days.owned(today - ONE_DAY)
            if any(start <= at < end for start, end in yesterday):
                return yesterday[-1][1]
        if owned and owned[-1][1] > at:
            return owned[-1][1]
        day = today + ONE_DAY
        while not (owned := self._days.owned(day)):
            day += ONE_DAY
            self._check_search(today, day, at)
        return owned[-1][1]

    def _check_search(self, since: date, day: date, start: datetime) -> None:
        # Hours that only fall on closed days would otherwise send the walk on for ever.
        if (day - since).days > SEARCH_DAYS:
            raise ValueError(
                f"calendar {self.name!r} has no open time in the {SEARCH_DAYS} days after "
                f"{since.isoformat()} (searching from {start.isoformat()})"
            )


def _utc(at: datetime) -> datetime:
    """`at` in UTC; ValueError for a naive datetime, which names no instant."""
    if at.tzinfo is None or at.utcoffset() is None:
        raise ValueError(f"a timezone-aware datetime is needed, not naive {at.isoformat()}")
    return at.astimezone(UTC)
