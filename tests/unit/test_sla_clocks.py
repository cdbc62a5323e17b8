"""The SLA timer's pure clock life: plans, pauses, retargets, overrides and firing."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from escalator_shared.config import EscalatorConfig, load_config
from escalator_shared.config.sla import Calendar
from escalator_shared.events import Priority
from escalator_sla_timer.domain.calendars import BusinessCalendar
from escalator_sla_timer.domain.clock import (
    Alerting,
    Clock,
    ClockState,
    override_due,
    pause,
    reopen,
    resume,
    retarget,
    start,
    stop,
)
from escalator_sla_timer.domain.firing import Breached, Firing, Reminded, Warned, fire
from escalator_sla_timer.domain.plans import (
    RESOLUTION,
    RESPONSE,
    UPDATE,
    CalendarBook,
    NoPolicyError,
    Planner,
    TicketFacts,
)

CONFIG = load_config(Path(__file__).parents[2] / "deploy" / "config" / "example.yaml")
ALWAYS = BusinessCalendar.around_the_clock()
# Mon-Fri 09:00-17:00 in London, English bank holidays.
OFFICE = BusinessCalendar.from_config(
    Calendar.model_validate(
        {
            "id": "office",
            "time_zone": "Europe/London",
            "hours": [
                {"days": ["mon", "tue", "wed", "thu", "fri"], "start": "09:00", "end": "17:00"}
            ],
            "holidays": {"country": "GB", "subdivision": "ENG"},
        }
    )
)
MONDAY_10 = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)  # London is on UTC in November
MINUTE = timedelta(minutes=1)
HOUR = timedelta(hours=1)


def _planner(config: EscalatorConfig = CONFIG) -> Planner:
    return Planner(config, CalendarBook(config))


def _facts(client: str = "acme", priority: Priority = Priority.P1) -> TicketFacts:
    return TicketFacts(client, priority, "incident", "generic")


@pytest.mark.parametrize(
    ("client", "priority", "metric", "minutes", "policy"),
    [
        ("acme", Priority.P1, RESPONSE, 15, "standard"),
        ("acme", Priority.P3, RESPONSE, 60, "standard"),
        ("acme", Priority.P1, RESOLUTION, 60, "standard"),
        ("globex", Priority.P1, RESPONSE, 10, "premium"),
        ("globex", Priority.P5, RESPONSE, 240, "premium"),
    ],
)
def test_plans_follow_the_clients_policy(
    client: str, priority: Priority, metric: str, minutes: int, policy: str
) -> None:
    plan = _planner().plan(_facts(client, priority), metric, MONDAY_10)
    assert plan is not None
    assert (plan.policy, plan.target) == (policy, timedelta(minutes=minutes))


def test_a_policy_without_update_targets_plans_no_update_clock() -> None:
    assert _planner().plan(_facts(), UPDATE, MONDAY_10) is None


def _config_with(policies: list[dict[str, object]], **client: object) -> EscalatorConfig:
    data = CONFIG.model_dump(mode="json")
    data["sla_policies"] = policies
    data["calendars"] = [
        {
            "id": "office",
            "time_zone": "Europe/London",
            "hours": [
                {"days": ["mon", "tue", "wed", "thu", "fri"], "start": "09:00", "end": "17:00"}
            ],
        }
    ]
    for entry in data["clients"]:
        entry["sla_policy"] = None
        entry.update(client)
    return EscalatorConfig.model_validate(data)


def test_the_first_matching_policy_wins_in_file_order() -> None:
    config = _config_with(
        [
            {"id": "p1-email", "match": {"priorities": ["P1"], "sources": ["email"]}},
            {"id": "globex-only", "match": {"clients": ["globex"]}},
            {"id": "default"},
        ]
    )
    planner = _planner(config)
    email = TicketFacts("acme", Priority.P1, "request", "email")
    assert planner.policy_for(email).id == "p1-email"
    assert planner.policy_for(_facts("globex", Priority.P1)).id == "globex-only"
    assert planner.policy_for(_facts("acme", Priority.P2)).id == "default"


def test_no_matching_policy_is_an_error() -> None:
    config = _config_with([{"id": "globex-only", "match": {"clients": ["globex"]}}])
    with pytest.raises(NoPolicyError):
        _planner(config).policy_for(_facts("acme"))


def test_same_business_day_runs_to_the_close_of_the_calendars_day() -> None:
    config = _config_with([{"id": "office-hours", "calendar": "office"}])
    planner = _planner(config)
    plan = planner.plan(_facts(priority=Priority.P4), RESPONSE, MONDAY_10)
    assert plan is not None
    assert plan.target == 7 * HOUR  # 10:00 to the 17:00 close
    assert plan.calendar == "office"


def test_a_client_calendar_uses_the_clients_hours() -> None:
    config = _config_with([{"id": "client-hours", "calendar": "client"}])
    plan = _planner(config).plan(_facts("acme", Priority.P1), RESPONSE, MONDAY_10)
    assert plan is not None
    assert plan.calendar == "client:acme"


def test_a_business_hours_clock_is_due_the_next_morning() -> None:
    four_pm = datetime(2026, 11, 23, 16, 0, tzinfo=UTC)
    clock = start(2 * HOUR, four_pm, OFFICE)
    assert clock.due_at == datetime(2026, 11, 24, 10, 0, tzinfo=UTC)


def test_a_pause_across_a_closed_night_costs_nothing() -> None:
    clock = start(4 * HOUR, datetime(2026, 11, 23, 15, 0, tzinfo=UTC), OFFICE)
    paused = pause(clock, datetime(2026, 11, 23, 16, 0, tzinfo=UTC), OFFICE)
    assert paused.state is ClockState.PAUSED
    assert paused.elapsed == HOUR
    assert paused.fire_at(OFFICE) is None
    resumed = resume(paused, datetime(2026, 11, 24, 11, 0, tzinfo=UTC), OFFICE)
    assert resumed.due_at == datetime(2026, 11, 24, 14, 0, tzinfo=UTC)  # 3 h left from 11:00


def test_a_pause_over_christmas_spans_the_bank_holidays() -> None:
    clock = start(8 * HOUR, datetime(2026, 12, 24, 13, 0, tzinfo=UTC), OFFICE)
    paused = pause(clock, datetime(2026, 12, 24, 15, 0, tzinfo=UTC), OFFICE)
    resumed = resume(paused, datetime(2026, 12, 27, 12, 0, tzinfo=UTC), OFFICE)
    # 6 h left; 25 Dec is Friday, 28 Dec is the Boxing Day holiday: Tuesday 29th 15:00.
    assert resumed.due_at == datetime(2026, 12, 29, 15, 0, tzinfo=UTC)


def test_priority_change_midway_keeps_the_time_used() -> None:
    clock = start(4 * HOUR, MONDAY_10, ALWAYS)
    later = MONDAY_10 + HOUR
    faster = retarget(clock, 2 * HOUR, later, ALWAYS)
    assert faster.elapsed == HOUR
    assert faster.due_at == MONDAY_10 + 2 * HOUR
    restarted = retarget(clock, 2 * HOUR, later, ALWAYS, restart=True)
    assert restarted.due_at == later + 2 * HOUR


def test_a_manual_due_time_becomes_the_target() -> None:
    clock = start(HOUR, MONDAY_10, OFFICE)
    moved = override_due(clock, datetime(2026, 11, 24, 12, 0, tzinfo=UTC), MONDAY_10, OFFICE)
    assert moved.target == 10 * HOUR  # 7 h on Monday, 3 h on Tuesday
    assert moved.due_at == datetime(2026, 11, 24, 12, 0, tzinfo=UTC)


def test_warnings_then_breach_then_reminders() -> None:
    alerting = Alerting(warn_at=(50, 75), remind_every=10 * MINUTE, remind_limit=2)
    clock = start(HOUR, MONDAY_10, ALWAYS, alerting)
    assert clock.fire_at(ALWAYS) == MONDAY_10 + 30 * MINUTE
    said: list[tuple[timedelta, Firing]] = []
    now = MONDAY_10
    while (at := clock.fire_at(ALWAYS)) is not None:
        now = at
        clock, firings = fire(clock, now, ALWAYS)
        said.extend((now - MONDAY_10, f) for f in firings)
    assert said == [
        (30 * MINUTE, Warned(50)),
        (45 * MINUTE, Warned(75)),
        (HOUR, Breached()),
        (70 * MINUTE, Reminded(1)),
        (80 * MINUTE, Reminded(2)),
    ]


def test_a_late_timer_folds_its_warnings_into_the_breach() -> None:
    clock = start(HOUR, MONDAY_10, ALWAYS)
    fired, firings = fire(clock, MONDAY_10 + 2 * HOUR, ALWAYS)
    assert firings == [Breached()]
    assert fired.fire_at(ALWAYS) is None


def test_a_stale_timer_says_nothing() -> None:
    clock = start(HOUR, MONDAY_10, ALWAYS)
    stopped = stop(clock, MONDAY_10 + MINUTE, ALWAYS, ClockState.FULFILLED)
    assert fire(stopped, MONDAY_10 + 2 * HOUR, ALWAYS) == (stopped, [])
    paused = pause(clock, MONDAY_10 + MINUTE, ALWAYS)
    assert fire(paused, MONDAY_10 + 2 * HOUR, ALWAYS) == (paused, [])


def test_reopen_resumes_a_fulfilled_clock_with_its_time() -> None:
    clock = stop(
        start(HOUR, MONDAY_10, ALWAYS), MONDAY_10 + 20 * MINUTE, ALWAYS, ClockState.FULFILLED
    )
    reopened = reopen(clock, MONDAY_10 + 3 * HOUR, ALWAYS)
    assert reopened.state is ClockState.RUNNING
    assert reopened.due_at == MONDAY_10 + 3 * HOUR + 40 * MINUTE


_instants = st.datetimes(
    min_value=datetime(2026, 1, 1), max_value=datetime(2027, 12, 1), timezones=st.just(UTC)
)
_durations = st.integers(min_value=1, max_value=200 * 3600).map(lambda s: timedelta(seconds=s))
_offsets = st.integers(min_value=0, max_value=30 * 24 * 3600).map(lambda s: timedelta(seconds=s))
_calendars = st.sampled_from([ALWAYS, OFFICE])


@settings(max_examples=150, deadline=None)
@given(_calendars, _instants, _durations, _offsets)
def test_elapsed_plus_remaining_is_the_target(
    calendar: BusinessCalendar, at: datetime, target: timedelta, offset: timedelta
) -> None:
    clock = start(target, at, calendar)
    now = at + offset
    assert clock.elapsed_at(now, calendar) + clock.remaining_at(now, calendar) == target


@settings(max_examples=150, deadline=None)
@given(_calendars, _instants, _durations, _offsets, _offsets)
def test_pausing_never_shortens_the_time_left(
    calendar: BusinessCalendar,
    at: datetime,
    target: timedelta,
    until_pause: timedelta,
    pause_length: timedelta,
) -> None:
    clock = start(target, at, calendar)
    paused_at = at + until_pause
    paused = pause(clock, paused_at, calendar)
    resumed_at = paused_at + pause_length
    resumed = resume(paused, resumed_at, calendar)
    assert paused.remaining_at(resumed_at, calendar) == clock.remaining_at(paused_at, calendar)
    assert resumed.remaining_at(resumed_at, calendar) >= clock.remaining_at(resumed_at, calendar)
    assert resumed.due_at >= clock.due_at


@pytest.mark.parametrize(
    ("targets", "tier"),
    [
        (["tier:L2"], "L2"),
        (["manager", "team:l2-network", "tier:L3"], "L2"),  # the first target naming a tier
        (["assignee", "backup", "manager", "person:alice"], None),
        (["team:no-such-team", "tier:L3"], "L3"),
        ([], None),
    ],
)
def test_an_escalation_step_reaches_the_tier_its_first_tier_target_names(
    targets: list[str], tier: str | None
) -> None:
    assert _planner().tier_reached(targets) == tier


# A Monday 09:00-17:00 in the office calendar (London is on UTC in November).
MONDAY_9 = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
MONDAY_17 = datetime(2026, 11, 23, 17, 0, tzinfo=UTC)


def _office_planner(on_priority_change: str) -> Planner:
    policy: dict[str, object] = {
        "id": "office",
        "calendar": "office",
        "on_priority_change": on_priority_change,
    }
    return _planner(_config_with([policy]))


def _response_clock(planner: Planner, priority: Priority, at: datetime = MONDAY_9) -> Clock:
    plan = planner.plan(_facts(priority=priority), RESPONSE, at)
    assert plan is not None
    return start(plan.target, at, OFFICE)


@pytest.mark.parametrize("rule", ["keep_elapsed", "restart"])
def test_a_change_to_same_business_day_is_due_at_the_close_of_the_day(rule: str) -> None:
    planner = _office_planner(rule)
    clock = _response_clock(planner, Priority.P3)  # 1 h, due 10:00
    at = MONDAY_9 + 40 * MINUTE
    moved = planner.retargeted(_facts(priority=Priority.P4), RESPONSE, clock, OFFICE, at)
    assert moved is not None
    assert moved.due_at == MONDAY_17
    next_firing = moved.fire_at(OFFICE)
    assert next_firing is not None
    assert next_firing < MONDAY_17  # a warning first, not an instant breach


@pytest.mark.parametrize("rule", ["keep_elapsed", "restart"])
def test_between_same_business_day_targets_the_clock_stays_due_at_the_close(rule: str) -> None:
    planner = _office_planner(rule)
    clock = _response_clock(planner, Priority.P4)
    at = MONDAY_9 + 4 * HOUR  # 13:00
    moved = planner.retargeted(_facts(priority=Priority.P5), RESPONSE, clock, OFFICE, at)
    due = clock.due_at if moved is None else moved.due_at
    assert due == MONDAY_17
    firings = fire(moved or clock, at, OFFICE)[1]
    assert not any(isinstance(f, Breached) for f in firings)  # nothing breaches at 13:00


@pytest.mark.parametrize(
    ("rule", "due"),
    [("keep_elapsed", MONDAY_9 + HOUR), ("restart", MONDAY_9 + 20 * MINUTE + HOUR)],
)
def test_from_same_business_day_to_a_duration(rule: str, due: datetime) -> None:
    planner = _office_planner(rule)
    clock = _response_clock(planner, Priority.P4, MONDAY_9)
    at = MONDAY_9 + 20 * MINUTE
    moved = planner.retargeted(_facts(priority=Priority.P3), RESPONSE, clock, OFFICE, at)
    assert moved is not None
    assert moved.target == HOUR
    assert moved.due_at == due  # keep_elapsed: the 20 min used count; restart: 1 h from 09:20
