"""Escalation chains: steps on timeouts, repeats, acknowledgement, and the trigger action table."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from escalator_router.domain.escalation_chain import (
    ChainStatus,
    ExtraPage,
    StepReached,
    Unchanged,
    acknowledge,
    plan,
    resolve,
    start,
    time_is_up,
    timeout,
    trigger,
)
from escalator_shared.config import EscalationPolicy
from escalator_shared.events import EscalationReason

T0 = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


def policy(**extra: Any) -> EscalationPolicy:
    return EscalationPolicy.model_validate(
        {
            "id": "standard",
            "steps": [
                {"name": "L1", "targets": ["assignee"], "escalate_after": "15m"},
                {"name": "L2", "targets": ["team:l2"], "escalate_after": "30m"},
                {"name": "L3", "targets": ["team:l3"]},
            ],
        }
        | extra
    )


def test_an_unacknowledged_chain_climbs_step_by_step_and_then_waits() -> None:
    chain, first = start(policy(), T0)
    assert first == StepReached(0, 0, "routed")
    assert chain.next_at == T0 + timedelta(minutes=15)
    assert not time_is_up(chain, T0 + timedelta(minutes=14))
    assert time_is_up(chain, T0 + timedelta(minutes=15))
    chain, second = timeout(policy(), chain, T0 + timedelta(minutes=15))
    assert second == StepReached(1, 0, "not_acknowledged")
    assert chain.next_at == T0 + timedelta(minutes=45)
    chain, third = timeout(policy(), chain, T0 + timedelta(minutes=45))
    assert third == StepReached(2, 0, "not_acknowledged")
    assert chain.next_at is None  # the last step waits for a trigger
    assert not time_is_up(chain, T0 + timedelta(days=1))


def test_acknowledgement_stops_the_timer_and_resolve_ends_everything() -> None:
    chain, _ = start(policy(), T0)
    acked = acknowledge(chain)
    assert (acked.status, acked.next_at) == (ChainStatus.ACKNOWLEDGED, None)
    assert not time_is_up(acked, T0 + timedelta(hours=5))
    done = resolve(acked)
    after, outcome = trigger(policy(), done, EscalationReason.MANUAL, T0)
    assert after == done
    assert isinstance(outcome, Unchanged)


def test_a_breach_on_an_acknowledged_ticket_moves_up_and_needs_a_new_acknowledgement() -> None:
    chain = acknowledge(start(policy(), T0)[0])
    moved, outcome = trigger(policy(), chain, EscalationReason.SLA_BREACHED, T0)
    assert outcome == StepReached(1, 0, "sla_breached")
    assert moved.status is ChainStatus.ACTIVE
    assert moved.next_at == T0 + timedelta(minutes=30)


@pytest.mark.parametrize(
    ("reason", "expected"),
    [
        (EscalationReason.SLA_WARNING, StepReached(0, 0, "sla_warning")),  # page again
        (EscalationReason.SLA_BREACHED, StepReached(1, 0, "sla_breached")),
        (EscalationReason.MANUAL, StepReached(1, 0, "manual")),
        (EscalationReason.CUSTOMER_DISSATISFIED, ExtraPage(("manager",), "customer_dissatisfied")),
    ],
)
def test_default_trigger_actions(reason: EscalationReason, expected: object) -> None:
    chain, _ = start(policy(), T0)
    assert trigger(policy(), chain, reason, T0)[1] == expected


def test_a_policy_can_ignore_or_redirect_triggers() -> None:
    custom = policy(triggers={"sla_warning": "ignore", "manual": ["person:carol", "tier:L3"]})
    chain, _ = start(custom, T0)
    assert isinstance(trigger(custom, chain, EscalationReason.SLA_WARNING, T0)[1], Unchanged)
    assert trigger(custom, chain, EscalationReason.MANUAL, T0)[1] == ExtraPage(
        ("person:carol", "tier:L3"), "manual"
    )


def test_repeats_go_round_again_then_the_chain_is_exhausted() -> None:
    looping = EscalationPolicy.model_validate(
        {
            "id": "p1",
            "steps": [
                {"targets": ["team:l2"], "escalate_after": "10m"},
                {"targets": ["manager"], "escalate_after": "15m"},
            ],
            "repeat": 1,
        }
    )
    assert [(p.offset_seconds / 60, p.step, p.round) for p in plan(looping)] == [
        (0, 0, 0),
        (10, 1, 0),
        (25, 0, 1),
        (35, 1, 1),
    ]
    chain, _ = start(looping, T0)
    for _ in range(3):
        assert chain.next_at is not None
        chain, outcome = timeout(looping, chain, chain.next_at)
        assert isinstance(outcome, StepReached)
    assert chain.next_at is not None
    chain, outcome = timeout(looping, chain, chain.next_at)
    assert chain.status is ChainStatus.EXHAUSTED
    assert isinstance(outcome, Unchanged)


def test_repeat_without_a_wait_on_the_last_step_is_refused() -> None:
    with pytest.raises(ValueError, match="repeat needs escalate_after on the last step"):
        policy(repeat=2)


@settings(max_examples=200, deadline=None)
@given(
    waits=st.lists(st.integers(min_value=1, max_value=120), min_size=1, max_size=6),
    repeat=st.integers(min_value=0, max_value=3),
)
def test_timeouts_visit_every_step_of_every_round_in_order(waits: list[int], repeat: int) -> None:
    steps = [{"targets": ["assignee"], "escalate_after": f"{w}m"} for w in waits]
    chain_policy = EscalationPolicy.model_validate({"id": "p", "steps": steps, "repeat": repeat})
    chain, _ = start(chain_policy, T0)
    visited = [(0, 0)]
    while chain.next_at is not None:
        chain, outcome = timeout(chain_policy, chain, chain.next_at)
        if isinstance(outcome, StepReached):
            visited.append((outcome.round, outcome.step))
    expected = [(r, s) for r in range(repeat + 1) for s in range(len(waits))]
    assert visited == expected
    assert chain.status is ChainStatus.EXHAUSTED
    assert [(p.round, p.step) for p in plan(chain_policy)] == expected
