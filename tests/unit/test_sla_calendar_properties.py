"""Business calendars, property by property, over random hours, zones, closed days and instants.

`is_open` and `business_time` are also checked against a reference that reads each instant's wall
clock (the shared rule) and tests it against the windows directly, with no per-day pieces.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from itertools import pairwise
from zoneinfo import ZoneInfo

import holidays
from hypothesis import given, settings
from hypothesis import strategies as st

from escalator_shared.config.oncall import WEEKDAYS, TimeWindow
from escalator_shared.config.sla import Calendar, HolidaySource
from escalator_shared.wall_clock import to_instant, wall_clock
from escalator_sla_timer.domain.calendars import BusinessCalendar

# Zones with DST at 01:00/02:00/03:00, at midnight (Havana, Santiago: a fall-back over midnight),
# by half an hour (Lord Howe), and none.
ZONES = [
    "Europe/London",
    "America/New_York",
    "Australia/Sydney",
    "Australia/Lord_Howe",
    "America/Havana",
    "America/Santiago",
    "UTC",
]
HOLIDAYS = [None, HolidaySource(country="GB", subdivision="ENG"), HolidaySource(country="US")]
FIRST, LAST = date(2026, 1, 1), date(2027, 12, 31)
TICK = timedelta(microseconds=1)
EXAMPLES = settings(max_examples=200, deadline=None)

# Quarter hours, with extra weight on the hours DST changes happen in.
times = st.one_of(
    st.builds(time, st.integers(0, 23), st.sampled_from([0, 15, 30, 45])),
    st.builds(time, st.integers(0, 3), st.sampled_from([0, 30])),
)
windows = st.builds(
    TimeWindow,
    days=st.lists(st.sampled_from(WEEKDAYS), min_size=1, max_size=7, unique=True),
    start=times,
    end=times,
)


@dataclass(frozen=True)
class Case:
    """A random calendar, its configuration (for the reference) and instants to ask about."""

    config: Calendar
    business: BusinessCalendar
    instants: list[datetime]


@st.composite
def cases(draw: st.DrawFn, count: int = 3, span: timedelta | None = None) -> Case:
    """A calendar and `count` instants in 2026-2027, the others within `span` of the first."""
    config = Calendar(
        id="random",
        time_zone=draw(st.sampled_from(ZONES)),
        hours=draw(st.lists(windows, max_size=3)),
        holidays=draw(st.sampled_from(HOLIDAYS)),
        closed_days=draw(st.lists(st.dates(FIRST, LAST), max_size=12)),
    )
    zone = ZoneInfo(config.time_zone)
    base = draw(_instant(zone, FIRST, LAST))
    if span is None:
        low, high = FIRST, LAST
    else:
        day = wall_clock(base, zone).date()
        low, high = day - span, day + span
    instants = [base, *(draw(_instant(zone, low, high)) for _ in range(count - 1))]
    return Case(config, BusinessCalendar.from_config(config), instants)


def _instant(zone: ZoneInfo, first: date, last: date) -> st.SearchStrategy[datetime]:
    """Anywhere to the microsecond, or on a quarter-hour of the local clock (window edges)."""
    anywhere = st.datetimes(
        datetime.combine(first, time()), datetime.combine(last, time()), timezones=st.just(UTC)
    )
    on_the_clock = st.builds(
        lambda day, clock: to_instant(datetime.combine(day, clock), zone),
        st.dates(first, last),
        times,
    )
    return st.one_of(anywhere, on_the_clock)


amounts = st.one_of(
    st.integers(0, 60 * 60).map(lambda m: timedelta(minutes=m)),  # up to 60 business hours
    st.integers(0, 10**12).map(lambda us: timedelta(microseconds=us)),
)


def _reference_is_open(config: Calendar, at: datetime) -> bool:
    """Open when the wall clock's date is not closed and its reading lies in a window."""
    wall = wall_clock(at, ZoneInfo(config.time_zone))
    if wall.date() in config.closed_days or _holiday(config, wall.date()):
        return False
    if not config.hours:
        return True
    today, yesterday = WEEKDAYS[wall.weekday()], WEEKDAYS[(wall.weekday() - 1) % 7]
    now = wall.time()
    for window in config.hours:
        if window.end > window.start:
            if today in window.days and window.start <= now < window.end:
                return True
        elif (today in window.days and now >= window.start) or (
            yesterday in window.days and now < window.end
        ):
            return True
    return False


def _holiday(config: Calendar, day: date) -> bool:
    source = config.holidays
    if source is None:
        return False
    return day in holidays.country_holidays(
        source.country, subdiv=source.subdivision, years=day.year
    )


def _reference_business_time(config: Calendar, start: datetime, end: datetime) -> timedelta:
    """Open time summed over the stretches between every edge and midnight in [start, end)."""
    zone = ZoneInfo(config.time_zone)
    edges = {start, end}
    day = wall_clock(start, zone).date() - timedelta(days=1)
    while day <= wall_clock(end, zone).date() + timedelta(days=1):
        for clock in [time(), *(w.start for w in config.hours), *(w.end for w in config.hours)]:
            edge = to_instant(datetime.combine(day, clock), zone)
            if start < edge < end:
                edges.add(edge)
        day += timedelta(days=1)
    # Between consecutive edges whether the calendar is open cannot change.
    return sum(
        (high - low for low, high in pairwise(sorted(edges)) if _reference_is_open(config, low)),
        timedelta(0),
    )


@EXAMPLES
@given(cases(count=3, span=timedelta(days=100)))
def test_business_time_adds_up(case: Case) -> None:
    a, b, c = sorted(case.instants)
    business = case.business
    assert business.business_time(a, c) == business.business_time(a, b) + business.business_time(
        b, c
    )


@EXAMPLES
@given(cases(count=2, span=timedelta(days=100)))
def test_business_time_is_at_most_the_time_elapsed(case: Case) -> None:
    a, b = sorted(case.instants)
    assert timedelta(0) <= case.business.business_time(a, b) <= b - a
    assert case.business.business_time(b, a) == timedelta(0)


@EXAMPLES
@given(cases(count=2, span=timedelta(days=6)))
def test_business_time_matches_the_reference(case: Case) -> None:
    a, b = sorted(case.instants)
    assert case.business.business_time(a, b) == _reference_business_time(case.config, a, b)


@EXAMPLES
@given(cases(count=1), amounts)
def test_adding_business_time_gives_the_earliest_instant_with_that_much(
    case: Case, amount: timedelta
) -> None:
    start = case.instants[0]
    due = case.business.add_business_time(start, amount)
    assert due >= start
    assert case.business.business_time(start, due) == amount
    if amount > timedelta(0):
        assert case.business.business_time(start, due - TICK) < amount
        assert case.business.is_open(due - TICK)  # it ends within open time


@EXAMPLES
@given(cases(count=1), amounts, amounts)
def test_adding_more_business_time_never_ends_sooner(
    case: Case, first: timedelta, second: timedelta
) -> None:
    start = case.instants[0]
    less, more = sorted([first, second])
    assert case.business.add_business_time(start, less) <= case.business.add_business_time(
        start, more
    )


@EXAMPLES
@given(cases(count=3, span=timedelta(days=5)))
def test_is_open_agrees_with_open_intervals_and_the_reference(case: Case) -> None:
    start, probe, end = sorted(case.instants)
    business = case.business
    intervals = list(business.open_intervals(start, end))
    # In order, inside [start, end), neither overlapping nor touching (touching ones are joined).
    assert all(start <= low < high <= end for low, high in intervals)
    assert all(one[1] < two[0] for one, two in pairwise(intervals))
    assert sum((high - low for low, high in intervals), timedelta(0)) == business.business_time(
        start, end
    )
    for instant in [probe, *(edge for interval in intervals for edge in interval)]:
        expected = _reference_is_open(case.config, instant)
        assert business.is_open(instant) is expected
        if start <= instant < end:
            assert any(low <= instant < high for low, high in intervals) is expected


@EXAMPLES
@given(cases(count=1))
def test_the_business_day_ends_in_open_time_after_the_instant(case: Case) -> None:
    at = case.instants[0]
    end = case.business.end_of_business_day(at)
    assert end > at
    assert case.business.is_open(end - TICK)


# Open around the clock, but through the day-by-day walk: a whole-day window every day.
_WALKED_AROUND_THE_CLOCK = BusinessCalendar(
    "walked", "UTC", [TimeWindow(days=list(WEEKDAYS), start=time(0, 0), end=time(0, 0))]
)
_anywhere = st.datetimes(
    datetime.combine(FIRST, time()), datetime.combine(LAST, time()), timezones=st.just(UTC)
)


@EXAMPLES
@given(_anywhere, _anywhere, amounts)
def test_the_around_the_clock_shortcut_agrees_with_the_day_walk(
    a: datetime, b: datetime, amount: timedelta
) -> None:
    shortcut = BusinessCalendar.around_the_clock()
    assert shortcut.business_time(a, b) == _WALKED_AROUND_THE_CLOCK.business_time(a, b)
    assert shortcut.add_business_time(a, amount) == _WALKED_AROUND_THE_CLOCK.add_business_time(
        a, amount
    )
    assert shortcut.add_business_time(a, amount) == a + amount
