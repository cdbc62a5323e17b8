"""The SLA timer's pure clock planning (24x7 for now)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from escalator_shared.config import load_config
from escalator_shared.events import Priority
from escalator_sla_timer.domain.clocks import elapsed_seconds, plan_response_clock

CONFIG = load_config(Path(__file__).parents[2] / "deploy" / "config" / "example.yaml")
START = datetime(2026, 3, 29, 0, 30, tzinfo=UTC)  # a DST change in Europe: UTC is unaffected


@pytest.mark.parametrize(
    ("client", "priority", "minutes", "policy"),
    [
        ("acme", Priority.P1, 15, "standard"),
        ("acme", Priority.P3, 60, "standard"),
        ("globex", Priority.P1, 10, "premium"),
        ("globex", Priority.P5, 240, "premium"),
    ],
)
def test_response_clock_follows_the_clients_policy(
    client: str, priority: Priority, minutes: int, policy: str
) -> None:
    plan = plan_response_clock(CONFIG, client, priority, START)
    assert plan.policy == policy
    assert plan.target == timedelta(minutes=minutes)
    assert plan.due_at == START + timedelta(minutes=minutes)


def test_an_unknown_client_has_no_policy() -> None:
    with pytest.raises(KeyError):
        plan_response_clock(CONFIG, "umbrella", Priority.P1, START)


def test_elapsed_never_goes_negative() -> None:
    assert elapsed_seconds(START, START - timedelta(seconds=5)) == 0
    assert elapsed_seconds(START, START + timedelta(minutes=2, seconds=1)) == 121
