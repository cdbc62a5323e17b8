"""The storm rules: which action one alert takes, and when recovery resolves."""

from __future__ import annotations

import pytest

from escalator_intake.domain.storm_rules import (
    AlertAction,
    decide,
    raised_priority,
    resolves_on_recovery,
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
