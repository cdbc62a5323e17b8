"""The storm rules: which action one alert takes, and when recovery resolves."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from escalator_intake.domain.storm_rules import (
    AlertAction,
    count_flap,
    decide,
    raised_priority,
    resolves_on_recovery,
    returns_as_flap,
)
from escalator_shared.events import AlertStatus, Priority

F, R, A = AlertStatus.FIRING, AlertStatus.RESOLVED, AlertStatus.ACKNOWLEDGED


@pytest.mark.parametrize(
    ("status", "firing", "recent", "device", "action"),
    [
        (F, False, False, False, AlertAction.OPEN),
        (F, True, False, False, AlertAction.REPEAT),
        (F, True, True, True, AlertAction.REPEAT),
        (F, False, True, True, AlertAction.REOPEN_FLAPPING),
        (F, False, False, True, AlertAction.GROUP),
        (R, True, False, False, AlertAction.RECOVER),
        (R, False, True, True, AlertAction.IGNORE),
        (A, True, False, False, AlertAction.ACKNOWLEDGE),
        (A, False, False, False, AlertAction.IGNORE),
    ],
)
def test_decide(
    status: AlertStatus, firing: bool, recent: bool, device: bool, action: AlertAction
) -> None:
    assert (
        decide(status, firing_ticket=firing, recently_resolved_ticket=recent, device_ticket=device)
        is action
    )


@pytest.mark.parametrize(
    ("policy", "flaps", "resolves"),
    [("resolve", 0, True), ("resolve", 2, True), ("resolve", 3, False), ("flag", 0, False)],
)
def test_recovery_resolves_unless_flagged_or_flapping(
    policy: str, flaps: int, resolves: bool
) -> None:
    assert resolves_on_recovery(policy, flaps, flap_threshold=3) is resolves


@pytest.mark.parametrize(
    ("current", "incoming", "raised"),
    [
        (Priority.P2, Priority.P1, Priority.P1),
        (Priority.P5, Priority.P3, Priority.P3),
        (Priority.P2, Priority.P2, None),
        (Priority.P1, Priority.P4, None),  # an alert never lowers a ticket
    ],
)
def test_a_more_severe_alert_raises_the_priority_and_a_lesser_one_never_lowers_it(
    current: Priority, incoming: Priority, raised: Priority | None
) -> None:
    assert raised_priority(current, incoming) == raised


def test_a_condition_back_on_the_open_ticket_where_it_recovered_returns_there() -> None:
    def action(status: AlertStatus, *, firing: bool, recent: bool) -> AlertAction:
        return decide(
            status,
            firing_ticket=firing,
            recently_resolved_ticket=recent,
            device_ticket=True,
            recovered_ticket=True,
        )

    assert action(F, firing=False, recent=True) is AlertAction.RETURN
    assert action(F, firing=True, recent=False) is AlertAction.REPEAT
    assert action(R, firing=False, recent=False) is AlertAction.IGNORE


NOW = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)
WINDOW = timedelta(minutes=30)


def _ago(minutes: float) -> datetime:
    return NOW - timedelta(minutes=minutes)


def test_reopens_before_the_threshold_page_as_reopens() -> None:
    flap = count_flap((1, [_ago(2).isoformat()], None), NOW, WINDOW, threshold=3)
    assert (flap.count, flap.flapping, flap.page) == (2, False, True)
    assert flap.summary == "the condition returned within the flap window, 2 time(s)"
    assert "flap_paged_at" not in flap.values(NOW)


def test_the_flap_that_reaches_the_threshold_pages_once_saying_so() -> None:
    times = [_ago(40).isoformat(), _ago(20).isoformat(), _ago(10).isoformat()]
    flap = count_flap((2, times, None), NOW, WINDOW, threshold=3)
    assert (flap.count, flap.flapping, flap.page) == (3, True, True)
    assert flap.summary == "flapping: reopened 3 times in the last 30 minutes"  # 40 min ago: out
    assert flap.values(NOW) == {
        "flap_count": 3,
        "flap_times": [_ago(20).isoformat(), _ago(10).isoformat(), NOW.isoformat()],
        "flap_paged_at": NOW,
    }


@pytest.mark.parametrize(("paged_minutes_ago", "pages"), [(1, False), (29.9, False), (30, True)])
def test_once_flapping_it_pages_once_per_flap_window(paged_minutes_ago: float, pages: bool) -> None:
    flap = count_flap((7, [_ago(1).isoformat()], _ago(paged_minutes_ago)), NOW, WINDOW, 3)
    assert (flap.flapping, flap.page) == (True, pages)
    assert flap.summary == "flapping: reopened 2 times in the last 30 minutes"
    assert ("flap_paged_at" in flap.values(NOW)) is pages


def test_an_acknowledged_flapping_ticket_pages_nobody_when_its_condition_returns() -> None:
    flap = count_flap((7, [_ago(1).isoformat()], _ago(45)), NOW, WINDOW, 3, owned=True)
    assert (flap.flapping, flap.page) == (True, False)
    assert "flap_paged_at" not in flap.values(NOW)
    before = count_flap((1, [], None), NOW, WINDOW, 3, owned=True)
    assert (before.flapping, before.page) == (False, True)


def test_a_window_in_seconds_is_said_in_seconds() -> None:
    flap = count_flap((1, [], None), NOW, timedelta(seconds=8), threshold=2)
    assert flap.summary == "flapping: reopened 1 time in the last 8 seconds"


@pytest.mark.parametrize(
    ("flaps", "recovered", "flap"),
    [(3, _ago(5), True), (2, _ago(5), False), (3, _ago(31), False), (3, None, False)],
)
def test_a_return_is_a_flap_only_on_a_flapping_ticket_that_recovered_within_the_window(
    flaps: int, recovered: datetime | None, flap: bool
) -> None:
    assert returns_as_flap(flaps, recovered, NOW, WINDOW, threshold=3) is flap
