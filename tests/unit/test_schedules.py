"""On-call schedules: rotations, DST, layers, windows, overrides, backups and gaps."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from itertools import pairwise
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from escalator_router.domain.schedules import (
    OnCall,
    Shift,
    coverage_gaps,
    final_shifts,
    on_call,
)
from escalator_shared.config.oncall import WEEKDAYS, Schedule

WEEKDAYS_ONLY = ["mon", "tue", "wed", "thu", "fri"]
BUSINESS_HOURS = [{"days": WEEKDAYS_ONLY, "start": "09:00", "end": "17:00"}]


def schedule(*layers: dict[str, Any], **fields: Any) -> Schedule:
    """A schedule as an operator writes it in YAML."""
    return Schedule.model_validate({"id": "ops", "layers": list(layers), **fields})


def layer(members: str, starts: str = "2026-03-02", **fields: Any) -> dict[str, Any]:
    return {"name": "main", "members": members.split(), "starts": starts, **fields}


def at(text: str, zone: str = "UTC") -> datetime:
    """An instant from ISO text; without an offset it is read in `zone`."""
    value = datetime.fromisoformat(text)
    return value if value.tzinfo else value.replace(tzinfo=ZoneInfo(zone))


def who(sched: Schedule, text: str) -> str | None:
    return on_call(sched, at(text, sched.time_zone)).person


# --- rotations -----------------------------------------------------------------------------------


DAILY = {"rotation": "daily"}
WEEKLY = {"rotation": "weekly", "handoff": "10:00"}
TWELVE_HOURS = {"rotation": "custom", "shift_length": "12h", "handoff": "08:00"}
THREE_DAYS = {"rotation": "custom", "shift_length": "3d"}


@pytest.mark.parametrize(
    ("rotation", "instant", "person"),
    [
        # daily at 09:00 from Mon 2026-03-02: ann, bob, cy, ann, ...
        (DAILY, "2026-03-02T09:00", "ann"),
        (DAILY, "2026-03-03T08:59", "ann"),
        (DAILY, "2026-03-03T09:00", "bob"),
        (DAILY, "2026-03-05T12:00", "ann"),
        # before the start the rotation runs backwards
        (DAILY, "2026-03-02T08:59", "cy"),
        (DAILY, "2026-02-28T12:00", "bob"),
        (DAILY, "2026-02-27T09:00", "ann"),
        # weekly, handing off Mondays at 10:00
        (WEEKLY, "2026-03-09T09:59", "ann"),
        (WEEKLY, "2026-03-09T10:00", "bob"),
        (WEEKLY, "2026-03-16T10:00", "cy"),
        (WEEKLY, "2026-03-01T12:00", "cy"),
        # 12 hour shifts from 08:00
        (TWELVE_HOURS, "2026-03-02T19:59", "ann"),
        (TWELVE_HOURS, "2026-03-02T20:00", "bob"),
        (TWELVE_HOURS, "2026-03-03T08:00", "cy"),
        (TWELVE_HOURS, "2026-03-02T07:59", "cy"),
        # 3 day shifts
        (THREE_DAYS, "2026-03-05T08:59", "ann"),
        (THREE_DAYS, "2026-03-05T09:00", "bob"),
        (THREE_DAYS, "2026-03-08T09:00", "cy"),
        (THREE_DAYS, "2026-03-11T09:00", "ann"),
        (THREE_DAYS, "2026-02-27T09:00", "cy"),
    ],
)
@pytest.mark.parametrize("zone", ["UTC", "Europe/Berlin", "America/New_York"])
def test_rotations_hand_off_at_the_local_hand_off_time(
    rotation: dict[str, Any], instant: str, person: str, zone: str
) -> None:
    sched = schedule(layer("ann bob cy", **rotation), time_zone=zone)
    assert who(sched, instant) == person


def test_on_call_says_who_until_when_and_why() -> None:
    sched = schedule(layer("ann bob cy", rotation="daily"), time_zone="Europe/London")
    assert on_call(sched, at("2026-03-03T12:00Z")) == OnCall(
        schedule="ops", person="bob", backup="cy", source="main", until=at("2026-03-04T09:00Z")
    )


def test_naive_instants_are_refused() -> None:
    sched = schedule(layer("ann", rotation="daily"))
    with pytest.raises(ValueError, match="timezone-aware"):
        on_call(sched, datetime(2026, 3, 2, 12))
    with pytest.raises(ValueError, match="timezone-aware"):
        final_shifts(sched, datetime(2026, 3, 2), at("2026-03-03T00:00Z"))


# --- daylight saving time ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("zone", "day", "hours"),
    [
        ("Europe/London", "2026-03-28", 23),
        ("Europe/London", "2026-10-24", 25),
        ("America/New_York", "2026-03-07", 23),
        ("America/New_York", "2026-10-31", 25),
        ("Europe/London", "2026-03-27", 24),
    ],
)
def test_a_daily_hand_off_stays_at_nine_local_across_dst(zone: str, day: str, hours: int) -> None:
    sched = schedule(layer("ann bob", rotation="daily", starts="2026-01-01"), time_zone=zone)
    start = at(f"{day}T09:00", zone)
    shifts = final_shifts(sched, start, start + timedelta(days=3))
    assert shifts[0].end - shifts[0].start == timedelta(hours=hours)
    for shift in shifts[:-1]:
        assert shift.end.astimezone(ZoneInfo(zone)).time() == time(9, 0)


@pytest.mark.parametrize(
    ("zone", "starts", "instant", "person"),
    [
        # London, 2026-10-25: 01:30 comes twice; the hand-off is at the first (00:30 UTC) ...
        ("Europe/London", "2026-10-24", "2026-10-25T00:29Z", "ann"),
        ("Europe/London", "2026-10-24", "2026-10-25T00:30Z", "bob"),
        # ... and is not undone when 01:30 comes round again
        ("Europe/London", "2026-10-24", "2026-10-25T01:15Z", "bob"),
        ("Europe/London", "2026-10-24", "2026-10-25T01:45Z", "bob"),
        ("America/New_York", "2026-10-31", "2026-11-01T05:29Z", "ann"),
        ("America/New_York", "2026-10-31", "2026-11-01T05:30Z", "bob"),
        ("America/New_York", "2026-10-31", "2026-11-01T06:15Z", "bob"),
        # London, 2026-03-29: 01:30 never comes; the hand-off is when the clocks jump (01:00 UTC)
        ("Europe/London", "2026-03-28", "2026-03-29T00:59Z", "ann"),
        ("Europe/London", "2026-03-28", "2026-03-29T01:00Z", "bob"),
        ("Europe/London", "2026-03-28", "2026-03-30T00:29Z", "bob"),
        ("Europe/London", "2026-03-28", "2026-03-30T00:30Z", "ann"),
    ],
)
def test_a_hand_off_in_a_repeated_or_skipped_hour(
    zone: str, starts: str, instant: str, person: str
) -> None:
    daily = layer("ann bob", rotation="daily", starts=starts, handoff="01:30")
    assert who(schedule(daily, time_zone=zone), instant) == person


def test_shifts_around_a_skipped_hand_off_are_never_negative() -> None:
    sched = schedule(
        layer("ann bob", rotation="daily", starts="2026-03-27", handoff="01:30"),
        time_zone="Europe/London",
    )
    shifts = final_shifts(sched, at("2026-03-28T01:30Z"), at("2026-03-30T00:30Z"))
    assert [(s.person, s.end - s.start) for s in shifts] == [
        ("bob", timedelta(hours=23, minutes=30)),
        ("ann", timedelta(hours=23, minutes=30)),
    ]


@pytest.mark.parametrize("length", ["20m", "30m", "1h", "90m"])
def test_short_shifts_across_the_spring_gap_stay_in_order(length: str) -> None:
    sched = schedule(
        layer("ann bob cy dee", rotation="custom", shift_length=length, handoff="00:00"),
        time_zone="Europe/London",
    )
    shifts = final_shifts(sched, at("2026-03-28T22:00Z"), at("2026-03-29T04:00Z"))
    _assert_partition(shifts, at("2026-03-28T22:00Z"), at("2026-03-29T04:00Z"))


# --- layers and windows ------------------------------------------------------------------------

BUSINESS_ON_TOP = schedule(
    layer("ann bob", rotation="daily", name="24x7"),
    layer("dee eve", rotation="weekly", name="desk", active=BUSINESS_HOURS),
    time_zone="Europe/London",
)


@pytest.mark.parametrize(
    ("instant", "person", "source"),
    [
        ("2026-06-01T08:59", "ann", "24x7"),  # Monday, before the desk opens
        ("2026-06-01T09:00", "eve", "desk"),
        ("2026-06-01T16:59", "eve", "desk"),
        ("2026-06-01T17:00", "bob", "24x7"),
        ("2026-06-06T12:00", "ann", "24x7"),  # Saturday
        ("2026-06-08T10:00", "dee", "desk"),  # next week, next desk member
    ],
)
def test_the_top_most_covering_layer_wins(instant: str, person: str, source: str) -> None:
    answer = on_call(BUSINESS_ON_TOP, at(instant, "Europe/London"))
    assert (answer.person, answer.source) == (person, source)


def test_overnight_windows_run_into_the_next_day_only() -> None:
    # Each listed day's window runs 18:00 to 09:00 the next morning: weekend days stay uncovered.
    overnight = [{"days": ["fri", "sat", "sun"], "start": "18:00", "end": "09:00"}]
    sched = schedule(layer("ann", handoff="12:00", active=overnight))
    gaps = coverage_gaps(sched, at("2026-06-01T00:00Z"), at("2026-06-08T00:00Z"))
    assert [(g.start, g.end) for g in gaps] == [
        (at("2026-06-01T09:00Z"), at("2026-06-05T18:00Z")),
        (at("2026-06-06T09:00Z"), at("2026-06-06T18:00Z")),
        (at("2026-06-07T09:00Z"), at("2026-06-07T18:00Z")),
    ]


def test_friday_evening_to_monday_morning_takes_three_windows() -> None:
    weekend = [
        {"days": ["fri"], "start": "18:00", "end": "00:00"},  # to midnight
        {"days": ["sat", "sun"]},  # whole days
        {"days": ["mon"], "start": "00:00", "end": "09:00"},
    ]
    sched = schedule(layer("ann", handoff="12:00", active=weekend))
    gaps = coverage_gaps(sched, at("2026-06-01T00:00Z"), at("2026-06-15T00:00Z"))
    assert [(g.start, g.end) for g in gaps] == [
        (at("2026-06-01T09:00Z"), at("2026-06-05T18:00Z")),
        (at("2026-06-08T09:00Z"), at("2026-06-12T18:00Z")),
    ]


# --- overrides -----------------------------------------------------------------------------------

NAIVE = {"person": "zed", "start": "2026-07-01T10:00", "end": "2026-07-01T12:00"}  # BST: 09-11Z
AWARE = {"person": "yan", "start": "2026-07-01T10:30Z", "end": "2026-07-01T11:30Z"}


@pytest.mark.parametrize(
    ("overrides", "expected"),
    [
        (
            [NAIVE],
            [("ann", "main", "08:00"), ("zed", "override", "09:00"), ("ann", "main", "11:00")],
        ),
        (
            [NAIVE, AWARE],
            [
                ("ann", "main", "08:00"),
                ("zed", "override", "09:00"),
                ("yan", "override", "10:30"),
                ("ann", "main", "11:30"),
            ],
        ),
        (
            [AWARE, NAIVE],
            [
                ("ann", "main", "08:00"),
                ("zed", "override", "09:00"),
                ("yan", "override", "11:00"),
                ("ann", "main", "11:30"),
            ],
        ),
    ],
)
def test_overrides_beat_layers_and_the_last_listed_wins(
    overrides: list[dict[str, str]], expected: list[tuple[str, str, str]]
) -> None:
    sched = schedule(
        layer("ann bob", rotation="daily", starts="2026-07-01"),
        time_zone="Europe/London",
        overrides=overrides,
    )
    shifts = final_shifts(sched, at("2026-07-01T08:00Z"), at("2026-07-01T12:00Z"))
    assert [(s.person, s.source, f"{s.start:%H:%M}") for s in shifts] == expected


# --- backups -------------------------------------------------------------------------------------

L2 = schedule(
    layer("kim lee", rotation="weekly", active=BUSINESS_HOURS),
    id="l2",
    backup_person="ceo",
)


@pytest.mark.parametrize(
    ("fields", "members", "instant", "person", "backup"),
    [
        ({}, "ann bob cy", "2026-03-02T12:00", "ann", "bob"),  # next in the rotation
        ({}, "ann bob cy", "2026-03-04T12:00", "cy", "ann"),
        ({}, "ann", "2026-03-02T12:00", "ann", None),  # nobody else to turn to
        ({}, "ann ann bob", "2026-03-02T12:00", "ann", None),  # never the same person twice
        ({"backup_person": "boss"}, "ann bob", "2026-03-02T12:00", "ann", "boss"),
        ({"backup_person": "ann"}, "ann bob", "2026-03-02T12:00", "ann", None),
        ({"backup_schedule": "l2"}, "ann bob", "2026-03-02T12:00", "ann", "kim"),
        ({"backup_schedule": "l2"}, "kim bob", "2026-03-02T12:00", "kim", None),
        # l2 has nobody at night; its own backup_person is one level too far
        ({"backup_schedule": "l2"}, "ann bob", "2026-03-02T20:00", "ann", None),
    ],
)
def test_the_backup(
    fields: dict[str, str], members: str, instant: str, person: str, backup: str | None
) -> None:
    sched = schedule(layer(members, rotation="daily"), **fields)
    answer = on_call(sched, at(instant), {"l2": L2})
    assert (answer.person, answer.backup) == (person, backup)


@pytest.mark.parametrize(
    ("override_person", "fields", "backup"),
    [
        ("zed", {"backup_person": "boss"}, "ann"),  # the person whose shift it was
        ("ann", {"backup_person": "boss"}, "boss"),  # covering their own shift: the usual rule
        ("ann", {}, "bob"),
        ("bob", {}, "ann"),
    ],
)
def test_the_backup_under_an_override(
    override_person: str, fields: dict[str, str], backup: str | None
) -> None:
    window = {"person": override_person, "start": "2026-03-02T10:00Z", "end": "2026-03-02T14:00Z"}
    sched = schedule(layer("ann bob", rotation="daily"), overrides=[window], **fields)
    answer = on_call(sched, at("2026-03-02T12:00Z"))
    assert (answer.person, answer.source, answer.backup) == (override_person, "override", backup)


def test_a_backup_schedule_must_be_given() -> None:
    sched = schedule(layer("ann bob", rotation="daily"), backup_schedule="l2")
    with pytest.raises(ValueError, match="l2"):
        on_call(sched, at("2026-03-02T12:00Z"))


# --- gaps ----------------------------------------------------------------------------------------


def test_business_hours_only_leaves_nights_and_weekends_uncovered() -> None:
    sched = schedule(layer("ann bob", active=BUSINESS_HOURS), time_zone="America/New_York")
    week = at("2026-06-01T00:00", "America/New_York")  # a Monday
    gaps = coverage_gaps(sched, week, week + timedelta(days=7))
    nights = [
        (week + timedelta(days=d, hours=17), week + timedelta(days=d + 1, hours=9))
        for d in range(4)
    ]
    expected = [(week, week + timedelta(hours=9)), *nights]
    expected.append((week + timedelta(days=4, hours=17), week + timedelta(days=7)))
    assert [(g.start, g.end) for g in gaps] == expected
    assert all(g == Shift(None, g.start, g.end, "gap") for g in gaps)
    assert on_call(sched, week + timedelta(days=5)).source == "gap"


def test_a_round_the_clock_rotation_has_no_gaps() -> None:
    sched = schedule(layer("ann bob cy", rotation="daily"), time_zone="Europe/London")
    assert coverage_gaps(sched, at("2026-01-01T00:00Z"), at("2027-01-01T00:00Z")) == []


# --- properties ----------------------------------------------------------------------------------

# The 2026 DST changes of each zone (UTC gets London's dates), where things go wrong if they do.
CHANGES = {
    "UTC": ["2026-03-29T01:00Z"],
    "Europe/London": ["2026-03-29T01:00Z", "2026-10-25T01:00Z"],
    "America/New_York": ["2026-03-08T07:00Z", "2026-11-01T06:00Z"],
    "Australia/Lord_Howe": ["2026-04-04T15:00Z", "2026-10-03T15:30Z"],  # 30 minute changes
}
LENGTHS = ["20m", "30m", "1h", "90m", "12h", "25h", "3d"]
quarters = st.sampled_from([0, 15, 30, 45])
# Half the times fall in the small hours, where the clocks change.
clock_times = st.builds(time, st.integers(0, 3), quarters) | st.builds(
    time, st.integers(0, 23), quarters
)
windows = st.fixed_dictionaries(
    {
        "days": st.lists(st.sampled_from(WEEKDAYS), min_size=1, max_size=7, unique=True),
        "start": clock_times,
        "end": clock_times,
    }
)
starts = st.dates(date(2025, 12, 1), date(2026, 12, 31))
layers = st.fixed_dictionaries(
    {
        "name": st.sampled_from(["base", "day", "night"]),
        "members": st.lists(st.sampled_from(["ann", "bob", "cy", "dee"]), min_size=1, max_size=3),
        "rotation": st.just("custom"),
        "shift_length": st.sampled_from(LENGTHS),
        "starts": starts,
        "handoff": clock_times,
        "active": st.lists(windows, max_size=2),
    }
) | st.fixed_dictionaries(
    {
        "name": st.just("rota"),
        "members": st.just(["eve", "fay"]),
        "rotation": st.sampled_from(["daily", "weekly"]),
        "starts": starts,
        "handoff": clock_times,
    }
)


@dataclass(frozen=True)
class Span:
    """A range of instants around a DST change of `zone`."""

    zone: str
    change: datetime
    start: datetime
    end: datetime

    def near_change(self, minutes: int) -> datetime:
        """An instant `minutes` from the change, kept inside the range."""
        instant = self.change + timedelta(minutes=minutes)
        return min(max(instant, self.start), self.end - timedelta(microseconds=1))


@st.composite
def spans(draw: st.DrawFn, zones: list[str]) -> Span:
    zone = draw(st.sampled_from(zones))
    change = at(draw(st.sampled_from(CHANGES[zone])))
    start = change + timedelta(minutes=draw(st.integers(-48 * 60, 2 * 60)))
    return Span(zone, change, start, start + timedelta(minutes=draw(st.integers(1, 72 * 60))))


@st.composite
def overrides(draw: st.DrawFn, around: datetime) -> dict[str, Any]:
    start = around + timedelta(minutes=15 * draw(st.integers(-200, 200)))
    end = start + timedelta(minutes=15 * draw(st.integers(1, 200)))
    if draw(st.booleans()):  # naive: read in the schedule's zone
        start, end = start.replace(tzinfo=None), end.replace(tzinfo=None)
    return {"person": draw(st.sampled_from(["zed", "ann"])), "start": start, "end": end}


@st.composite
def cases(draw: st.DrawFn) -> tuple[Schedule, Span]:
    span = draw(spans(list(CHANGES)))
    sched = schedule(
        *draw(st.lists(layers, min_size=1, max_size=3)),
        time_zone=span.zone,
        overrides=draw(st.lists(overrides(span.change), max_size=2)),
    )
    return sched, span


def _assert_partition(shifts: list[Shift], start: datetime, end: datetime) -> None:
    assert shifts[0].start == start
    assert shifts[-1].end == end
    for shift, after in pairwise(shifts):
        assert shift.end == after.start
        assert (shift.person, shift.source) != (after.person, after.source)
    for shift in shifts:
        assert shift.start < shift.end
        assert shift.start.tzinfo is UTC
        assert (shift.person is None) == (shift.source == "gap")


@settings(max_examples=200, deadline=None)
@given(cases())
def test_final_shifts_cover_the_range_exactly_once(case: tuple[Schedule, Span]) -> None:
    sched, span = case
    _assert_partition(final_shifts(sched, span.start, span.end), span.start, span.end)


@settings(max_examples=200, deadline=None)
@given(
    cases(),
    st.lists(st.integers(0, 999_999), max_size=4),
    st.lists(st.integers(-150, 150), min_size=1, max_size=4),
)
def test_on_call_agrees_with_the_final_shifts(
    case: tuple[Schedule, Span], millionths: list[int], near_change: list[int]
) -> None:
    sched, span = case
    shifts = final_shifts(sched, span.start, span.end)
    instants = [span.start + (span.end - span.start) * m // 1_000_000 for m in millionths]
    for instant in instants + [span.near_change(minutes) for minutes in near_change]:
        segment = next(s for s in shifts if s.start <= instant < s.end)
        answer = on_call(sched, instant)
        assert (answer.person, answer.source) == (segment.person, segment.source)
        assert answer.until is not None
        assert answer.until > instant
        assert answer.until <= segment.end or segment.end == span.end


@settings(max_examples=200, deadline=None)
@given(spans(list(CHANGES)[1:]), clock_times, st.sampled_from(["daily", "weekly"]))
def test_every_hand_off_falls_at_the_hand_off_time(
    span: Span, handoff: time, rotation: str
) -> None:
    zone = ZoneInfo(span.zone)
    rota = layer("ann bob", rotation=rotation, handoff=handoff.isoformat())
    for shift in final_shifts(schedule(rota, time_zone=span.zone), span.start, span.end)[1:]:
        wall = datetime.combine(shift.start.astimezone(zone).date(), handoff)
        first, second = (wall.replace(tzinfo=zone, fold=f).astimezone(UTC) for f in (0, 1))
        if first == second and first.astimezone(zone).replace(tzinfo=None) == wall:
            assert shift.start == first  # that day the hand-off time exists, and only once
