"""A schedule as a rota reads it: now and next, final shifts, layers alone, overrides, a person."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from escalator_router.domain.directory import Directory
from escalator_router.domain.schedule_view import (
    Handover,
    ScheduleView,
    Window,
    next_handover,
    schedule_view,
    schedule_views,
)
from escalator_router.domain.schedules import Shift
from tests.unit.test_routing_rules import EXAMPLE
from tests.unit.test_schedules import BUSINESS_HOURS, at, layer, schedule

DIRECTORY = Directory(EXAMPLE)
# Tuesday before Christmas 2026: Alice's week on the helpdesk, Dave's Christmas swap from Thursday.
TUESDAY = datetime(2026, 12, 22, 12, 0, tzinfo=UTC)
WEEK = Window(TUESDAY, TUESDAY + timedelta(days=7))


def views(window: Window = WEEK, now: datetime = TUESDAY) -> dict[str, ScheduleView]:
    found = schedule_views(DIRECTORY.schedules, DIRECTORY.teams.values(), now, window)
    return {view.schedule.id: view for view in found}


def spans(shifts: list[Shift]) -> list[tuple[str | None, str, str, str]]:
    """Shifts as (person, start, end, source), times in UTC without the offset."""
    return [(s.person, _utc(s.start), _utc(s.end), s.source) for s in shifts]


def _utc(value: datetime) -> str:
    return value.astimezone(UTC).replace(tzinfo=None).isoformat(timespec="minutes")


def test_every_schedule_is_listed_with_its_teams() -> None:
    found = views()
    assert list(found) == ["helpdesk-oncall", "l2-oncall", "l3-oncall"]
    assert found["helpdesk-oncall"].teams == ["helpdesk"]
    assert found["l3-oncall"].teams == ["l3-senior"]


def test_the_final_shifts_over_the_window_include_the_override() -> None:
    helpdesk = views()["helpdesk-oncall"]
    assert spans(helpdesk.shifts) == [
        ("alice", "2026-12-22T12:00", "2026-12-24T09:00", "weekly"),
        ("dave", "2026-12-24T09:00", "2026-12-27T09:00", "override"),
        ("alice", "2026-12-27T09:00", "2026-12-28T09:00", "weekly"),
        ("dave", "2026-12-28T09:00", "2026-12-29T12:00", "weekly"),
    ]
    assert [(o.person, _utc(o.start), _utc(o.end), o.note) for o in helpdesk.overrides] == [
        ("dave", "2026-12-24T09:00", "2026-12-27T09:00", "Christmas swap")
    ]


def test_a_layer_alone_shows_its_rotation_without_the_overrides() -> None:
    (weekly,) = views()["helpdesk-oncall"].layers
    assert (weekly.index, weekly.name) == (0, "weekly")
    assert spans(weekly.shifts) == [
        ("alice", "2026-12-22T12:00", "2026-12-28T09:00", "weekly"),
        ("dave", "2026-12-28T09:00", "2026-12-29T12:00", "weekly"),
    ]


def test_now_has_the_backup_and_next_is_the_first_other_person() -> None:
    helpdesk = views()["helpdesk-oncall"]
    assert (helpdesk.now.person, helpdesk.now.backup) == ("alice", "bob")  # backup: L2 on call
    assert helpdesk.next == Handover("dave", at("2026-12-24T09:00"))


def test_next_looks_beyond_the_window() -> None:
    one_hour = Window(TUESDAY, TUESDAY + timedelta(hours=1))
    assert views(one_hour)["l2-oncall"].next == Handover("grace", at("2026-12-28T09:00"))


def test_a_rotation_of_one_has_no_next() -> None:
    l3 = views()["l3-oncall"]
    assert l3.now.person == "erin"
    assert l3.next is None


def test_a_gap_is_a_next_with_nobody() -> None:
    days_only = schedule(layer("ann bob", rotation="daily", active=BUSINESS_HOURS))
    monday_noon = at("2026-03-02T12:00")
    assert next_handover(days_only, monday_noon, "ann") == Handover(None, at("2026-03-02T17:00"))


def test_for_one_person_only_their_shifts_and_overrides_are_listed() -> None:
    dave = Window(WEEK.start, WEEK.end, "dave")
    found = views(dave)
    helpdesk = found["helpdesk-oncall"]
    assert spans(helpdesk.shifts) == [
        ("dave", "2026-12-24T09:00", "2026-12-27T09:00", "override"),
        ("dave", "2026-12-28T09:00", "2026-12-29T12:00", "weekly"),
    ]
    assert [s.person for s in helpdesk.layers[0].shifts] == ["dave"]
    assert [o.person for o in helpdesk.overrides] == ["dave"]
    assert helpdesk.now.person == "alice"  # who is on call stays the schedule's answer
    assert found["l2-oncall"].shifts == []
    assert found["l3-oncall"].shifts == []


def test_an_override_outside_the_window_is_not_listed() -> None:
    january = Window(at("2027-01-04T00:00"), at("2027-01-11T00:00"))
    assert views(january)["helpdesk-oncall"].overrides == []


def test_a_naive_override_is_read_in_the_schedule_zone() -> None:
    summer = schedule(
        layer("ann"),
        time_zone="Europe/London",
        overrides=[{"person": "bob", "start": "2026-07-01T09:00", "end": "2026-07-01T17:00"}],
    )
    window = Window(at("2026-07-01T00:00"), at("2026-07-02T00:00"))
    view = schedule_view(summer, {}, [], window.start, window)
    assert [(_utc(o.start), _utc(o.end)) for o in view.overrides] == [
        ("2026-07-01T08:00", "2026-07-01T16:00")  # BST
    ]
    assert view.teams == []
