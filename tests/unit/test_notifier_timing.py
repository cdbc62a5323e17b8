"""Quiet hours and digest times on the person's own wall clock, across midnight and DST."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from escalator_notifier.domain.timing import next_digest_at, quiet_until
from escalator_shared.config import PersonNotifications, TimeWindow
from escalator_shared.config.oncall import WEEKDAYS, windows_cover

LONDON = ZoneInfo("Europe/London")
NEW_YORK = ZoneInfo("America/New_York")
EVERY_DAY = "mon tue wed thu fri sat sun"
NIGHTS = [TimeWindow.model_validate({"days": EVERY_DAY.split(), "start": "22:00", "end": "07:00"})]


def window(days: str, start: str, end: str) -> TimeWindow:
    return TimeWindow.model_validate({"days": days.split(), "start": start, "end": end})


def local(
    zone: ZoneInfo, year: int, month: int, day: int, hour: int = 0, minute: int = 0
) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=zone)


WEEKEND = [
    window("fri", "18:00", "00:00"),
    window("sat sun", "00:00", "00:00"),
    window("mon", "00:00", "09:00"),
]


# --- quiet_until -------------------------------------------------------------------------------


def test_quiet_hours_over_midnight_hold_until_seven_local_next_morning() -> None:
    now = local(LONDON, 2026, 1, 14, 23, 30)  # Wednesday, GMT
    assert quiet_until(NIGHTS, LONDON, now) == local(LONDON, 2026, 1, 15, 7, 0)


def test_quiet_hours_after_midnight_end_the_same_morning() -> None:
    now = local(LONDON, 2026, 7, 15, 3, 0)  # BST
    end = quiet_until(NIGHTS, LONDON, now)
    assert end == local(LONDON, 2026, 7, 15, 7, 0)
    assert end is not None
    assert end.astimezone(UTC) == datetime(2026, 7, 15, 6, 0, tzinfo=UTC)


def test_a_window_over_midnight_belongs_to_the_day_it_starts() -> None:
    friday_night = [window("fri", "22:00", "07:00")]
    assert quiet_until(friday_night, LONDON, local(LONDON, 2026, 1, 17, 6, 0)) == local(
        LONDON, 2026, 1, 17, 7, 0
    )  # Saturday morning is still Friday's window
    assert quiet_until(friday_night, LONDON, local(LONDON, 2026, 1, 16, 6, 0)) is None  # Fri 06:00


def test_the_start_of_a_window_is_quiet_and_its_end_is_not() -> None:
    assert quiet_until(NIGHTS, LONDON, local(LONDON, 2026, 1, 14, 22, 0)) == local(
        LONDON, 2026, 1, 15, 7, 0
    )
    assert quiet_until(NIGHTS, LONDON, local(LONDON, 2026, 1, 15, 7, 0)) is None


def test_outside_quiet_hours_there_is_nothing_to_wait_for() -> None:
    assert quiet_until(NIGHTS, LONDON, local(LONDON, 2026, 1, 14, 12, 0)) is None


def test_no_quiet_hours_means_never_quiet() -> None:
    assert quiet_until([], LONDON, local(LONDON, 2026, 1, 14, 3, 0)) is None


def test_quiet_hours_are_read_in_the_persons_zone_not_utc() -> None:
    now = datetime(2026, 1, 15, 3, 0, tzinfo=UTC)  # 22:00 in New York, the evening before
    assert quiet_until(NIGHTS, NEW_YORK, now) == local(NEW_YORK, 2026, 1, 15, 7, 0)
    assert quiet_until(NIGHTS, LONDON, now) == local(LONDON, 2026, 1, 15, 7, 0)


def test_chained_weekend_windows_count_as_one_and_end_monday_nine() -> None:
    friday_evening = local(LONDON, 2026, 1, 16, 20, 0)
    assert quiet_until(WEEKEND, LONDON, friday_evening) == local(LONDON, 2026, 1, 19, 9, 0)
    sunday_noon = local(LONDON, 2026, 1, 18, 12, 0)
    assert quiet_until(WEEKEND, LONDON, sunday_noon) == local(LONDON, 2026, 1, 19, 9, 0)
    assert quiet_until(WEEKEND, LONDON, local(LONDON, 2026, 1, 16, 17, 59)) is None


def test_chained_weekend_over_the_spring_change_ends_monday_nine_summer_time() -> None:
    end = quiet_until(WEEKEND, LONDON, local(LONDON, 2026, 3, 27, 20, 0))
    assert end == local(LONDON, 2026, 3, 30, 9, 0)
    assert end is not None
    assert end.astimezone(UTC) == datetime(2026, 3, 30, 8, 0, tzinfo=UTC)


def test_a_whole_day_window_runs_midnight_to_midnight() -> None:
    wednesdays = [window("wed", "00:00", "00:00")]
    assert quiet_until(wednesdays, LONDON, local(LONDON, 2026, 1, 14, 0, 0)) == local(
        LONDON, 2026, 1, 15, 0, 0
    )


def test_quiet_around_the_clock_has_no_end() -> None:
    assert (
        quiet_until([window(EVERY_DAY, "00:00", "00:00")], LONDON, local(LONDON, 2026, 1, 14))
        is None
    )


@pytest.mark.parametrize(
    ("now_utc", "end_utc"),
    [
        # London springs forward on Sunday 29 March 2026: the night is an hour shorter.
        (datetime(2026, 3, 28, 23, 0, tzinfo=UTC), datetime(2026, 3, 29, 6, 0, tzinfo=UTC)),
        # ... and falls back on Sunday 25 October 2026: the night is an hour longer.
        (datetime(2026, 10, 24, 22, 0, tzinfo=UTC), datetime(2026, 10, 25, 7, 0, tzinfo=UTC)),
    ],
)
def test_quiet_hours_end_at_seven_local_across_london_dst_changes(
    now_utc: datetime, end_utc: datetime
) -> None:
    end = quiet_until(NIGHTS, LONDON, now_utc)
    assert end == end_utc
    assert end is not None
    assert end.astimezone(LONDON).time() == time(7, 0)


@pytest.mark.parametrize(
    ("now_utc", "end_utc"),
    [
        # New York: Sunday 8 March 2026 (EST to EDT) and Sunday 1 November 2026 (EDT to EST).
        (datetime(2026, 3, 8, 4, 0, tzinfo=UTC), datetime(2026, 3, 8, 11, 0, tzinfo=UTC)),
        (datetime(2026, 11, 1, 3, 0, tzinfo=UTC), datetime(2026, 11, 1, 12, 0, tzinfo=UTC)),
    ],
)
def test_quiet_hours_end_at_seven_local_across_new_york_dst_changes(
    now_utc: datetime, end_utc: datetime
) -> None:
    assert quiet_until(NIGHTS, NEW_YORK, now_utc) == end_utc


def test_quiet_hours_ending_in_the_repeated_hour_end_on_the_second_pass_too() -> None:
    night = [window(EVERY_DAY, "22:00", "01:30")]
    now = datetime(2026, 10, 25, 1, 10, tzinfo=UTC)  # 01:10 GMT, the second 01:10 of the night
    assert windows_cover(night, now.astimezone(LONDON))
    assert quiet_until(night, LONDON, now) == datetime(2026, 10, 25, 1, 30, tzinfo=UTC)


def test_quiet_hours_ending_in_the_skipped_hour_end_when_the_clocks_jump() -> None:
    night = [window(EVERY_DAY, "22:00", "01:30")]
    now = datetime(2026, 3, 29, 0, 30, tzinfo=UTC)  # 00:30 GMT
    jump = datetime(2026, 3, 29, 1, 0, tzinfo=UTC)  # 01:00 GMT becomes 02:00 BST
    assert not windows_cover(night, jump.astimezone(LONDON))
    assert quiet_until(night, LONDON, now) == jump


# --- next_digest_at ------------------------------------------------------------------------------


def test_a_daily_digest_goes_out_today_when_its_time_is_still_ahead() -> None:
    rules = PersonNotifications(digest_at=time(8, 30))
    now = local(LONDON, 2026, 1, 14, 7, 0)
    assert next_digest_at(rules, LONDON, now) == local(LONDON, 2026, 1, 14, 8, 30)


def test_a_daily_digest_at_its_exact_time_waits_for_tomorrow() -> None:
    rules = PersonNotifications(digest_at=time(8, 30))
    now = local(LONDON, 2026, 1, 14, 8, 30)
    assert next_digest_at(rules, LONDON, now) == local(LONDON, 2026, 1, 15, 8, 30)


def test_a_weekly_digest_goes_out_on_its_day() -> None:
    rules = PersonNotifications(digest_every="weekly", digest_day="fri", digest_at=time(9, 0))
    wednesday = local(LONDON, 2026, 1, 14, 12, 0)
    assert next_digest_at(rules, LONDON, wednesday) == local(LONDON, 2026, 1, 16, 9, 0)
    friday_before = local(LONDON, 2026, 1, 16, 8, 0)
    assert next_digest_at(rules, LONDON, friday_before) == local(LONDON, 2026, 1, 16, 9, 0)
    friday_after = local(LONDON, 2026, 1, 16, 9, 0)
    assert next_digest_at(rules, LONDON, friday_after) == local(LONDON, 2026, 1, 23, 9, 0)


def test_a_digest_keeps_its_wall_clock_time_across_the_spring_change() -> None:
    rules = PersonNotifications(digest_at=time(8, 0))
    at = next_digest_at(rules, LONDON, local(LONDON, 2026, 3, 29, 0, 30))
    assert at == datetime(2026, 3, 29, 7, 0, tzinfo=UTC)  # 08:00 BST


def test_a_weekly_digest_across_the_autumn_change_is_a_week_and_an_hour_later() -> None:
    rules = PersonNotifications(digest_every="weekly", digest_day="mon", digest_at=time(8, 0))
    first = next_digest_at(rules, LONDON, local(LONDON, 2026, 10, 19, 7, 0))
    second = next_digest_at(rules, LONDON, first)
    assert (first.astimezone(LONDON).time(), second.astimezone(LONDON).time()) == (
        time(8, 0),
        time(8, 0),
    )
    # Same-zone datetimes subtract as wall clocks; the real gap shows in UTC.
    assert second.astimezone(UTC) - first.astimezone(UTC) == timedelta(days=7, hours=1)


def test_a_digest_time_the_spring_change_skips_goes_out_an_hour_later() -> None:
    rules = PersonNotifications(digest_at=time(1, 30))
    at = next_digest_at(rules, LONDON, local(LONDON, 2026, 3, 29, 0, 0))
    assert at == datetime(2026, 3, 29, 1, 30, tzinfo=UTC)  # 02:30 BST


# --- properties -----------------------------------------------------------------------------------

QUARTERS = st.integers(0, 95).map(lambda q: time(q // 4, q % 4 * 15))
WINDOWS = st.lists(
    st.builds(
        TimeWindow,
        days=st.lists(st.sampled_from(WEEKDAYS), min_size=1, max_size=7, unique=True),
        start=QUARTERS,
        end=QUARTERS,
    ),
    min_size=1,
    max_size=4,
)
ZONES = st.sampled_from(["UTC", "Europe/London", "America/New_York", "Asia/Kolkata"])


def _instant(start: datetime, quarters: int) -> datetime:
    return start + timedelta(minutes=15 * quarters)


@settings(max_examples=150, deadline=None, database=None)
@given(WINDOWS, ZONES, st.integers(0, 4 * 24 * 40))
def test_quiet_until_is_the_first_instant_out_of_quiet_hours(
    windows: list[TimeWindow], zone_name: str, quarters: int
) -> None:
    zone = ZoneInfo(zone_name)
    now = _instant(datetime(2026, 1, 5, tzinfo=UTC), quarters)  # January: no DST change nearby
    end = quiet_until(windows, zone, now)
    if not windows_cover(windows, now.astimezone(zone)):
        assert end is None
        return
    later = (now + timedelta(minutes=15 * k) for k in range(1, 4 * 24 * 8))
    first_free = next((t for t in later if not windows_cover(windows, t.astimezone(zone))), None)
    assert end == first_free


DST_NIGHTS = st.sampled_from(
    [
        ("Europe/London", datetime(2026, 3, 28, tzinfo=UTC)),
        ("Europe/London", datetime(2026, 10, 24, tzinfo=UTC)),
        ("America/New_York", datetime(2026, 3, 7, tzinfo=UTC)),
        ("America/New_York", datetime(2026, 10, 31, tzinfo=UTC)),
    ]
)


@settings(max_examples=200, deadline=None, database=None)
@given(WINDOWS, DST_NIGHTS, st.integers(0, 4 * 24 * 3))
def test_quiet_until_around_dst_changes_is_after_now_and_outside_quiet_hours(
    windows: list[TimeWindow], zone_and_eve: tuple[str, datetime], quarters: int
) -> None:
    zone = ZoneInfo(zone_and_eve[0])
    now = _instant(zone_and_eve[1], quarters)
    end = quiet_until(windows, zone, now)
    assert (end is None) or (end > now and not windows_cover(windows, end.astimezone(zone)))
    if not windows_cover(windows, now.astimezone(zone)):
        assert end is None


@settings(max_examples=150, deadline=None, database=None)
@given(
    QUARTERS,
    st.sampled_from(["daily", "weekly"]),
    st.sampled_from(WEEKDAYS),
    ZONES,
    st.integers(0, 4 * 24 * 400),
)
def test_next_digest_is_the_next_wall_clock_digest_time(
    at: time, every: str, day: str, zone_name: str, quarters: int
) -> None:
    zone = ZoneInfo(zone_name)
    rules = PersonNotifications.model_validate(
        {"digest_at": at, "digest_every": every, "digest_day": day}
    )
    now = _instant(datetime(2026, 1, 1, tzinfo=UTC), quarters)
    digest = next_digest_at(rules, zone, now)
    period = timedelta(days=1 if every == "daily" else 7)
    assert now < digest <= now + period + timedelta(hours=1)
    wall = digest.astimezone(zone)
    skipped = (datetime.combine(wall.date(), at) + timedelta(hours=1)).time()
    assert wall.time() in (at, skipped)  # the later only when DST skipped the digest time
    if every == "weekly":
        assert WEEKDAYS[wall.weekday()] == day
