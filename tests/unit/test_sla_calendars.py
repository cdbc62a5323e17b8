"""Business calendars: hours, weekends, holidays, closed days, DST, and the arithmetic on them.

Expected values are worked out by hand; instants are written with the UTC offset in force.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from escalator_shared.config import Client
from escalator_shared.config.sla import Calendar
from escalator_sla_timer.domain.calendars import BusinessCalendar

WEEKDAYS_ONLY = ["mon", "tue", "wed", "thu", "fri"]
NINE_TO_FIVE = [{"days": WEEKDAYS_ONLY, "start": "09:00", "end": "17:00"}]
SPLIT = [
    {"days": WEEKDAYS_ONLY, "start": "09:00", "end": "12:00"},
    {"days": WEEKDAYS_ONLY, "start": "13:00", "end": "17:00"},
]
NIGHTS = [{"start": "22:00", "end": "06:00"}]  # every night, belonging to the evening it starts
SUNDAYS = [{"days": ["sun"], "start": "00:00", "end": "00:00"}]  # the whole of Sunday


def sunday(start: str, end: str) -> list[dict[str, Any]]:
    return [{"days": ["sun"], "start": start, "end": end}]


def calendar(
    hours: list[dict[str, Any]],
    zone: str = "Europe/London",
    holidays: dict[str, str] | None = None,
    closed: tuple[str, ...] | list[date] = (),
    name: str = "test",
) -> BusinessCalendar:
    return BusinessCalendar.from_config(
        Calendar.model_validate(
            {
                "id": name,
                "time_zone": zone,
                "hours": hours,
                "holidays": holidays,
                "closed_days": list(closed),
            }
        )
    )


CALENDARS = {
    "office": calendar(NINE_TO_FIVE),
    "office_gb": calendar(NINE_TO_FIVE, holidays={"country": "GB", "subdivision": "ENG"}),
    "office_ca": calendar(
        NINE_TO_FIVE, "America/Los_Angeles", {"country": "US", "subdivision": "CA"}
    ),
    "office_ny": calendar(NINE_TO_FIVE, "America/New_York"),
    "shutdown": calendar(NINE_TO_FIVE, closed=("2026-06-15",)),  # a Monday
    "split": calendar(SPLIT),
    "nights": calendar(NIGHTS),
    "nights_closed_tue": calendar(NIGHTS, closed=("2026-06-02",)),
    "nights_ny": calendar(NIGHTS, "America/New_York"),
    "sundays_london": calendar(SUNDAYS),
    "sundays_ny": calendar(SUNDAYS, "America/New_York"),
    "sundays_sydney": calendar(SUNDAYS, "Australia/Sydney"),
    # Windows starting in the spring-forward gap or spanning the fall-back repeated hour.
    "gap_london": calendar(sunday("01:30", "03:00")),
    "repeat_london": calendar(sunday("01:30", "02:30")),
    "gap_ny": calendar(sunday("02:00", "04:00"), "America/New_York"),
    "repeat_ny": calendar(sunday("01:30", "02:30"), "America/New_York"),
    "gap_sydney": calendar(sunday("02:30", "03:30"), "Australia/Sydney"),
    "repeat_sydney": calendar(sunday("02:30", "03:30"), "Australia/Sydney"),
    "always_london": calendar([], closed=("2026-06-02",)),
    "always_sydney": calendar([], "Australia/Sydney"),
    "24x7": BusinessCalendar.around_the_clock(),
}
H = timedelta(hours=1)
M = timedelta(minutes=1)


def at(text: str) -> datetime:
    value = datetime.fromisoformat(text)
    assert value.tzinfo is not None, "write instants with their offset"
    return value


# 2026-06-01 is a Monday (BST, +01:00); 2026-12-25 a Friday.
@pytest.mark.parametrize(
    ("name", "start", "end", "expected"),
    [
        ("office", "2026-06-01T10:00+01:00", "2026-06-01T15:00+01:00", 5 * H),
        ("office", "2026-06-05T12:00+01:00", "2026-06-08T12:00+01:00", 8 * H),  # weekend
        ("office", "2026-06-01T00:00+01:00", "2026-06-08T00:00+01:00", 40 * H),
        ("office", "2026-06-01T15:00+01:00", "2026-06-01T10:00+01:00", 0 * H),  # backwards
        ("split", "2026-06-01T10:00+01:00", "2026-06-01T15:00+01:00", 4 * H),
        ("split", "2026-06-01T12:00+01:00", "2026-06-01T13:00+01:00", 0 * H),
        ("nights", "2026-06-01T12:00+01:00", "2026-06-03T12:00+01:00", 16 * H),
        ("nights_closed_tue", "2026-06-01T20:00+01:00", "2026-06-03T12:00+01:00", 8 * H),
        ("office_gb", "2026-12-21T00:00Z", "2027-01-04T00:00Z", 56 * H),  # 25, 28 Dec, 1 Jan
        ("office_gb", "2026-12-31T15:00Z", "2027-01-05T09:00Z", 10 * H),
        ("office_ca", "2026-11-23T00:00-08:00", "2026-11-30T00:00-08:00", 24 * H),  # Thanksgiving
        ("shutdown", "2026-06-12T00:00+01:00", "2026-06-17T00:00+01:00", 16 * H),
        # Across DST a 09:00-17:00 day stays 8 hours.
        ("office", "2026-03-27T00:00Z", "2026-03-31T00:00+01:00", 16 * H),
        ("office", "2026-10-23T00:00+01:00", "2026-10-27T00:00Z", 16 * H),
        # A whole-day window is 23 or 25 hours on change days, 24 otherwise.
        ("sundays_london", "2026-03-28T00:00Z", "2026-03-31T00:00+01:00", 23 * H),
        ("sundays_london", "2026-10-24T00:00+01:00", "2026-10-27T00:00Z", 25 * H),
        ("sundays_london", "2026-06-06T00:00+01:00", "2026-06-09T00:00+01:00", 24 * H),
        ("sundays_ny", "2026-03-07T00:00-05:00", "2026-03-10T00:00-04:00", 23 * H),
        ("sundays_ny", "2026-10-31T00:00-04:00", "2026-11-03T00:00-05:00", 25 * H),
        ("sundays_sydney", "2026-04-04T00:00+11:00", "2026-04-07T00:00+10:00", 25 * H),
        ("sundays_sydney", "2026-10-03T00:00+10:00", "2026-10-06T00:00+11:00", 23 * H),
        # Overnight windows over a change night: 22:00 to 06:00 is 7 or 9 hours.
        ("nights", "2026-03-28T12:00Z", "2026-03-29T12:00+01:00", 7 * H),
        ("nights", "2026-10-24T12:00+01:00", "2026-10-25T12:00Z", 9 * H),
        ("nights_ny", "2026-03-07T12:00-05:00", "2026-03-08T12:00-04:00", 7 * H),
        ("nights_ny", "2026-10-31T12:00-04:00", "2026-11-01T12:00-05:00", 9 * H),
        # A window starting in the gap starts when the clocks jump; one over the repeated hour
        # runs from its first 01:30 (or 02:30) to the 02:30 (03:30) after the change.
        ("gap_london", "2026-03-29T00:00Z", "2026-03-30T00:00+01:00", 1 * H),
        ("gap_london", "2026-03-22T00:00Z", "2026-03-23T00:00Z", 90 * M),
        ("repeat_london", "2026-10-25T00:00+01:00", "2026-10-26T00:00Z", 2 * H),
        ("repeat_london", "2026-10-18T00:00+01:00", "2026-10-19T00:00+01:00", 1 * H),
        ("gap_ny", "2026-03-08T00:00-05:00", "2026-03-09T00:00-04:00", 1 * H),
        ("gap_ny", "2026-03-01T00:00-05:00", "2026-03-02T00:00-05:00", 2 * H),
        ("repeat_ny", "2026-11-01T00:00-04:00", "2026-11-02T00:00-05:00", 2 * H),
        ("gap_sydney", "2026-10-04T00:00+10:00", "2026-10-05T00:00+11:00", 30 * M),
        ("repeat_sydney", "2026-04-05T00:00+11:00", "2026-04-06T00:00+10:00", 2 * H),
        ("repeat_sydney", "2026-04-12T00:00+10:00", "2026-04-13T00:00+10:00", 1 * H),
        ("always_london", "2026-06-01T12:00+01:00", "2026-06-03T12:00+01:00", 24 * H),
        ("24x7", "2026-03-29T00:30Z", "2026-03-29T03:00+01:00", 90 * M),
    ],
)
def test_business_time(name: str, start: str, end: str, expected: timedelta) -> None:
    assert CALENDARS[name].business_time(at(start), at(end)) == expected


@pytest.mark.parametrize(
    ("name", "start", "amount", "expected"),
    [
        # The end of an open piece at the latest, not the next opening.
        ("office", "2026-06-01T16:00+01:00", 1 * H, "2026-06-01T17:00+01:00"),
        ("office", "2026-06-01T16:00+01:00", 2 * H, "2026-06-02T10:00+01:00"),
        ("office", "2026-06-01T07:00+01:00", 8 * H, "2026-06-01T17:00+01:00"),
        ("office", "2026-06-05T16:30+01:00", 1 * H, "2026-06-08T09:30+01:00"),  # weekend
        ("office", "2026-06-06T10:00+01:00", 1 * H, "2026-06-08T10:00+01:00"),  # from Saturday
        ("office", "2026-06-01T09:00+01:00", 72 * H, "2026-06-11T17:00+01:00"),
        (
            "office",
            "2026-06-01T10:00+01:00",
            timedelta(microseconds=1),
            "2026-06-01T10:00:00.000001+01:00",
        ),
        ("split", "2026-06-01T11:00+01:00", 2 * H, "2026-06-01T14:00+01:00"),
        ("split", "2026-06-01T11:30+01:00", 30 * M, "2026-06-01T12:00+01:00"),
        ("split", "2026-06-01T12:15+01:00", 1 * H, "2026-06-01T14:00+01:00"),
        ("nights", "2026-06-01T12:00+01:00", 8 * H, "2026-06-02T06:00+01:00"),
        ("nights", "2026-06-01T12:00+01:00", 10 * H, "2026-06-03T00:00+01:00"),
        ("nights", "2026-06-01T23:00+01:00", 1 * H, "2026-06-02T00:00+01:00"),
        ("nights", "2026-06-01T23:00+01:00", 2 * H, "2026-06-02T01:00+01:00"),
        ("nights_closed_tue", "2026-06-01T23:00+01:00", 2 * H, "2026-06-03T01:00+01:00"),
        ("office_gb", "2026-12-24T16:00Z", 3 * H, "2026-12-29T11:00Z"),  # Christmas, Boxing Day
        ("office_gb", "2026-12-25T10:00Z", 1 * H, "2026-12-29T10:00Z"),  # from a holiday
        ("office_gb", "2026-12-31T15:00Z", 8 * H, "2027-01-04T15:00Z"),  # year end
        ("office_ca", "2026-11-25T16:00-08:00", 2 * H, "2026-11-30T10:00-08:00"),
        ("shutdown", "2026-06-12T16:00+01:00", 2 * H, "2026-06-16T10:00+01:00"),
        ("office", "2026-03-27T16:00Z", 2 * H, "2026-03-30T10:00+01:00"),
        ("office", "2026-10-23T16:00+01:00", 2 * H, "2026-10-26T10:00Z"),
        ("office_ny", "2026-03-06T16:00-05:00", 2 * H, "2026-03-09T10:00-04:00"),
        ("office_ny", "2026-10-30T16:00-04:00", 2 * H, "2026-11-02T10:00-05:00"),
        ("sundays_london", "2026-03-28T12:00Z", 23 * H, "2026-03-30T00:00+01:00"),
        ("sundays_london", "2026-03-28T12:00Z", 24 * H, "2026-04-05T01:00+01:00"),
        ("sundays_london", "2026-10-24T12:00+01:00", 24 * H, "2026-10-25T23:00Z"),
        ("sundays_london", "2026-10-24T12:00+01:00", 25 * H, "2026-10-26T00:00Z"),
        ("sundays_sydney", "2026-10-03T12:00+10:00", 23 * H, "2026-10-05T00:00+11:00"),
        ("sundays_sydney", "2026-04-04T12:00+11:00", 25 * H, "2026-04-06T00:00+10:00"),
        ("gap_london", "2026-03-28T12:00Z", 30 * M, "2026-03-29T02:30+01:00"),
        ("repeat_london", "2026-10-24T12:00+01:00", 90 * M, "2026-10-25T02:00Z"),
        ("gap_ny", "2026-03-07T12:00-05:00", 30 * M, "2026-03-08T03:30-04:00"),
        ("gap_sydney", "2026-10-03T12:00+10:00", 20 * M, "2026-10-04T03:20+11:00"),
        ("always_london", "2026-06-01T23:00+01:00", 2 * H, "2026-06-03T01:00+01:00"),
        ("24x7", "2026-06-01T10:00Z", 72 * H, "2026-06-04T10:00Z"),
    ],
)
def test_add_business_time(name: str, start: str, amount: timedelta, expected: str) -> None:
    due = CALENDARS[name].add_business_time(at(start), amount)
    assert due == at(expected)
    assert due.tzinfo is UTC


@pytest.mark.parametrize(
    ("name", "instant", "expected"),
    [
        ("office", "2026-06-01T09:00+01:00", True),
        ("office", "2026-06-01T08:59:59.999999+01:00", False),
        ("office", "2026-06-01T16:59:59.999999+01:00", True),
        ("office", "2026-06-01T17:00+01:00", False),
        ("office", "2026-06-06T12:00+01:00", False),  # Saturday
        ("split", "2026-06-01T12:30+01:00", False),
        ("nights", "2026-06-01T22:00+01:00", True),
        ("nights", "2026-06-02T03:00+01:00", True),
        ("nights", "2026-06-02T06:00+01:00", False),
        ("nights_closed_tue", "2026-06-01T23:30+01:00", True),
        ("nights_closed_tue", "2026-06-02T03:00+01:00", False),  # the closed day's early hours
        ("nights_closed_tue", "2026-06-02T23:00+01:00", False),
        ("nights_closed_tue", "2026-06-03T03:00+01:00", True),  # past its midnight: open again
        ("office_gb", "2026-12-28T10:00Z", False),  # Boxing Day (observed)
        ("office_gb", "2026-12-29T10:00Z", True),
        ("office_ca", "2026-11-26T10:00-08:00", False),  # Thanksgiving
        ("office_ca", "2026-11-27T10:00-08:00", False),  # and the day after, in California
        ("gap_london", "2026-03-29T00:59:59Z", False),
        ("gap_london", "2026-03-29T01:00Z", True),  # 02:00 BST, when the clocks jump
        ("gap_london", "2026-03-29T02:00Z", False),
        ("repeat_london", "2026-10-25T00:29Z", False),
        ("repeat_london", "2026-10-25T00:30Z", True),  # the first 01:30
        ("repeat_london", "2026-10-25T01:45Z", True),  # the second 01:45
        ("repeat_london", "2026-10-25T02:30Z", False),
        ("24x7", "2026-03-29T01:00Z", True),
    ],
)
def test_is_open(name: str, instant: str, expected: bool) -> None:
    assert CALENDARS[name].is_open(at(instant)) is expected


@pytest.mark.parametrize(
    ("name", "start", "end", "expected"),
    [
        (
            "office",
            "2026-06-01T12:00+01:00",
            "2026-06-03T10:00+01:00",
            [
                ("2026-06-01T11:00Z", "2026-06-01T16:00Z"),
                ("2026-06-02T08:00Z", "2026-06-02T16:00Z"),
                ("2026-06-03T08:00Z", "2026-06-03T09:00Z"),
            ],
        ),
        (
            "split",
            "2026-06-01T00:00+01:00",
            "2026-06-02T00:00+01:00",
            [
                ("2026-06-01T08:00Z", "2026-06-01T11:00Z"),
                ("2026-06-01T12:00Z", "2026-06-01T16:00Z"),
            ],
        ),
        (  # joined across midnight
            "nights",
            "2026-06-01T20:00+01:00",
            "2026-06-03T12:00+01:00",
            [
                ("2026-06-01T21:00Z", "2026-06-02T05:00Z"),
                ("2026-06-02T21:00Z", "2026-06-03T05:00Z"),
            ],
        ),
        (  # a closed day cuts the night before at its midnight, and opens again at the next
            "nights_closed_tue",
            "2026-06-01T20:00+01:00",
            "2026-06-03T12:00+01:00",
            [
                ("2026-06-01T21:00Z", "2026-06-01T23:00Z"),
                ("2026-06-02T23:00Z", "2026-06-03T05:00Z"),
            ],
        ),
        (
            "gap_london",
            "2026-03-29T00:00Z",
            "2026-03-30T00:00Z",
            [("2026-03-29T01:00Z", "2026-03-29T02:00Z")],
        ),
        (
            "always_london",
            "2026-06-01T00:00+01:00",
            "2026-06-06T00:00+01:00",
            [
                ("2026-05-31T23:00Z", "2026-06-01T23:00Z"),
                ("2026-06-02T23:00Z", "2026-06-05T23:00Z"),
            ],
        ),
        (
            "24x7",
            "2026-06-01T12:00+02:00",
            "2026-06-03T00:00+02:00",
            [("2026-06-01T10:00Z", "2026-06-02T22:00Z")],
        ),
        ("24x7", "2026-06-03T00:00Z", "2026-06-01T00:00Z", []),
    ],
)
def test_open_intervals(name: str, start: str, end: str, expected: list[tuple[str, str]]) -> None:
    found = list(CALENDARS[name].open_intervals(at(start), at(end)))
    assert found == [(at(low), at(high)) for low, high in expected]
    assert all(low.tzinfo is UTC and high.tzinfo is UTC for low, high in found)


@pytest.mark.parametrize(
    ("name", "instant", "expected"),
    [
        ("office", "2026-06-01T10:00+01:00", "2026-06-01T17:00+01:00"),
        ("office", "2026-06-01T07:00+01:00", "2026-06-01T17:00+01:00"),  # before opening
        ("office", "2026-06-01T17:00+01:00", "2026-06-02T17:00+01:00"),  # closed for the day
        ("office", "2026-06-05T18:00+01:00", "2026-06-08T17:00+01:00"),  # Friday evening
        ("office", "2026-06-06T10:00+01:00", "2026-06-08T17:00+01:00"),  # Saturday
        ("office_gb", "2026-12-24T18:00Z", "2026-12-29T17:00Z"),
        ("office_gb", "2026-12-31T15:00Z", "2026-12-31T17:00Z"),
        ("split", "2026-06-01T12:30+01:00", "2026-06-01T17:00+01:00"),
        ("nights", "2026-06-01T23:00+01:00", "2026-06-02T06:00+01:00"),
        ("nights", "2026-06-02T03:00+01:00", "2026-06-02T06:00+01:00"),  # last night's window
        ("nights", "2026-06-02T12:00+01:00", "2026-06-03T06:00+01:00"),
        ("nights_closed_tue", "2026-06-01T23:00+01:00", "2026-06-02T00:00+01:00"),
        ("nights_closed_tue", "2026-06-02T03:00+01:00", "2026-06-03T06:00+01:00"),
        ("sundays_london", "2026-03-29T10:00+01:00", "2026-03-30T00:00+01:00"),
        ("24x7", "2026-06-01T10:00Z", "2026-06-02T00:00Z"),
        ("24x7", "2026-06-02T00:00Z", "2026-06-03T00:00Z"),  # the next midnight, not this one
        ("always_sydney", "2026-10-03T23:00+10:00", "2026-10-04T00:00+10:00"),
        ("always_sydney", "2026-10-04T12:00+11:00", "2026-10-05T00:00+11:00"),
        ("always_london", "2026-06-01T10:00+01:00", "2026-06-02T00:00+01:00"),
        ("always_london", "2026-06-02T10:00+01:00", "2026-06-04T00:00+01:00"),  # closed day
    ],
)
def test_end_of_business_day(name: str, instant: str, expected: str) -> None:
    end = CALENDARS[name].end_of_business_day(at(instant))
    assert end == at(expected)
    assert end.tzinfo is UTC


def test_adding_nothing_is_the_start_even_when_closed() -> None:
    saturday = at("2026-06-06T10:00+01:00")
    assert CALENDARS["office"].add_business_time(saturday, timedelta(0)) == saturday


def test_negative_business_time_is_refused() -> None:
    with pytest.raises(ValueError, match="negative"):
        CALENDARS["office"].add_business_time(at("2026-06-01T10:00Z"), -H)


NAIVE = datetime(2026, 6, 1, 10, 0)
AWARE = at("2026-06-01T10:00Z")


@pytest.mark.parametrize(
    "call",
    [
        lambda c: c.is_open(NAIVE),
        lambda c: c.business_time(NAIVE, AWARE),
        lambda c: c.business_time(AWARE, NAIVE),
        lambda c: c.add_business_time(NAIVE, H),
        lambda c: c.end_of_business_day(NAIVE),
        lambda c: list(c.open_intervals(AWARE, NAIVE)),
    ],
)
def test_naive_datetimes_are_refused(call: Any) -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        call(CALENDARS["office"])


def _sundays(first: date, before: date) -> list[date]:
    return [first + timedelta(weeks=k) for k in range((before - first).days // 7 + 1)]


def test_a_calendar_that_never_opens_is_reported_not_searched_for_ever() -> None:
    never = calendar(
        sunday("09:00", "17:00"),
        "UTC",
        closed=_sundays(date(2026, 1, 4), date(2031, 1, 1)),
        name="never",
    )
    start = at("2026-01-01T00:00Z")
    with pytest.raises(ValueError, match="'never'"):
        never.add_business_time(start, H)
    with pytest.raises(ValueError, match="'never'"):
        never.end_of_business_day(start)
    assert never.business_time(start, at("2028-01-01T00:00Z")) == timedelta(0)


def test_two_closed_years_are_still_searched_through() -> None:
    later = calendar(
        sunday("09:00", "17:00"), "UTC", closed=_sundays(date(2026, 1, 4), date(2028, 1, 1))
    )
    assert later.add_business_time(at("2026-01-01T00:00Z"), H) == at("2028-01-02T10:00Z")
    assert later.end_of_business_day(at("2026-01-01T00:00Z")) == at("2028-01-02T17:00Z")


def test_unknown_holidays_are_refused_by_the_configuration() -> None:
    with pytest.raises(ValueError, match="no public holidays known for country 'XX'"):
        calendar(NINE_TO_FIVE, holidays={"country": "XX"}, name="bad")
    with pytest.raises(ValueError, match="unknown subdivision 'ZZ' of GB"):
        calendar(NINE_TO_FIVE, holidays={"country": "GB", "subdivision": "ZZ"}, name="bad")


def test_a_clients_calendar_uses_its_hours_zone_holidays_and_closed_days() -> None:
    client = Client.model_validate(
        {
            "id": "acme",
            "name": "Acme",
            "time_zone": "America/New_York",
            "business_hours": NINE_TO_FIVE,
            "holidays": {"country": "US"},
            "closed_days": ["2026-11-27"],
        }
    )
    business = BusinessCalendar.for_client(client)
    # Thanksgiving (federal) then the client's own closed Friday, then the weekend.
    assert business.add_business_time(at("2026-11-25T16:00-05:00"), 2 * H) == at(
        "2026-11-30T10:00-05:00"
    )
    assert "acme" in business.name


def test_a_client_without_hours_is_open_around_the_clock_in_its_zone() -> None:
    client = Client.model_validate({"id": "acme", "name": "Acme", "time_zone": "Australia/Sydney"})
    business = BusinessCalendar.for_client(client)
    assert business.business_time(at("2026-06-01T00:00Z"), at("2026-06-03T00:00Z")) == 48 * H
    assert business.end_of_business_day(at("2026-06-01T00:00Z")) == at("2026-06-02T00:00+10:00")


def test_around_the_clock_counts_days_in_utc() -> None:
    assert BusinessCalendar.around_the_clock().zone.key == "UTC"
