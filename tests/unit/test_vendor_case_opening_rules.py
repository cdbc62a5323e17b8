"""When a vendor case is retried, held back, waits, asks for data or goes out: pure rules."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from escalator_shared.config import Vendor, load_config
from escalator_shared.config.vendors import Engagement
from escalator_vendor_gateway.domain.case_plan import CaseStatus, prepare
from escalator_vendor_gateway.domain.circuit_breaker import (
    BreakerState,
    CircuitBreaker,
    VendorBreakers,
)
from escalator_vendor_gateway.domain.engagement import (
    eligible_at,
    engages_automatically,
    time_blockers,
    trigger_blockers,
)
from escalator_vendor_gateway.domain.retry_policy import RetryPolicy
from escalator_vendor_gateway.domain.ticket_snapshot import TicketSnapshot

CONFIG = load_config(Path(__file__).parents[2] / "deploy" / "config" / "example.yaml")
MICROSOFT, ISP = CONFIG.vendor("microsoft"), CONFIG.vendor("fibrenet")
ACME, GLOBEX = CONFIG.client("acme"), CONFIG.client("globex")
NOW = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)
SECOND = timedelta(seconds=1)
MINUTE = timedelta(minutes=1)


def _ticket(**fields: object) -> TicketSnapshot:
    values: dict[str, object] = {
        "ticket_id": "t-1",
        "client_id": "acme",
        "title": "Sign-ins failing for finance",
        "priority": "P2",
        "opened_at": NOW - timedelta(hours=1),
        "device": "lon-fw-01",
        "error_codes": ("AADSTS50076",),
        "tier": "L2",
        "tier_since": NOW - 10 * MINUTE,
    }
    values.update(fields)
    return TicketSnapshot(**values)  # type: ignore[arg-type]


def _with_rules(**rules: object) -> Vendor:
    return MICROSOFT.model_copy(update={"engage_when": Engagement.model_validate(rules)})


# Retry policy


def test_a_seeded_delay_is_the_jittered_share_of_the_exponential_ceiling() -> None:
    policy = RetryPolicy(base=SECOND, cap=timedelta(minutes=5))
    expected = timedelta(seconds=4) * random.Random(42).random()  # attempt 3: 1s x 2^2
    assert policy.delay(3, rng=random.Random(42)) == expected
    assert policy.delay(3, rng=random.Random(42)) == policy.delay(3, rng=random.Random(42))


@pytest.mark.parametrize(
    ("attempts", "ceiling"),
    [(0, 1), (1, 1), (2, 2), (5, 16), (9, 256), (10, 300), (30, 300)],
)
def test_delays_spread_over_zero_to_a_ceiling_that_doubles_up_to_the_cap(
    attempts: int, ceiling: int
) -> None:
    policy, rng = RetryPolicy(base=SECOND, cap=timedelta(minutes=5)), random.Random(7)
    draws = [policy.delay(attempts, rng=rng) for _ in range(2000)]
    assert all(timedelta(0) <= d <= timedelta(seconds=ceiling) for d in draws)
    # Full jitter: the draws cover the whole range, not a band near the ceiling.
    assert min(draws) < timedelta(seconds=ceiling) * 0.05
    assert max(draws) > timedelta(seconds=ceiling) * 0.95


def test_retry_after_is_a_floor_under_the_jitter() -> None:
    policy, rng = RetryPolicy(), random.Random(3)
    assert all(policy.delay(1, timedelta(seconds=7), rng) >= 7 * SECOND for _ in range(500))
    # Late attempts jitter up to the cap, so the draw wins over a short Retry-After.
    draws = [policy.delay(12, SECOND, rng) for _ in range(500)]
    assert max(draws) > timedelta(minutes=4)
    assert min(draws) >= SECOND


def test_a_retry_after_beyond_the_cap_is_held_to_the_cap() -> None:
    policy = RetryPolicy(cap=timedelta(minutes=5))
    assert policy.delay(1, timedelta(hours=1), random.Random(1)) == timedelta(minutes=5)


def test_attempts_are_exhausted_at_the_maximum() -> None:
    policy = RetryPolicy(max_attempts=3)
    assert [policy.exhausted(n) for n in (0, 1, 2, 3, 4)] == [False, False, False, True, True]


# Circuit breaker


def _opened_breaker(at: datetime) -> CircuitBreaker:
    breaker = CircuitBreaker(threshold=3, cooldown=timedelta(seconds=30))
    for _ in range(3):
        breaker.failed(at)
    return breaker


def test_the_breaker_opens_after_threshold_failures_in_a_row() -> None:
    breaker = CircuitBreaker(threshold=3, cooldown=timedelta(seconds=30))
    breaker.failed(NOW)
    breaker.failed(NOW)
    assert breaker.state(NOW) is BreakerState.CLOSED
    assert breaker.allows(NOW)
    breaker.failed(NOW + SECOND)
    assert breaker.state(NOW + SECOND) is BreakerState.OPEN
    assert not breaker.allows(NOW + 30 * SECOND)  # cooldown counts from the opening failure


def test_a_success_resets_the_count_of_failures() -> None:
    breaker = CircuitBreaker(threshold=3)
    breaker.failed(NOW)
    breaker.failed(NOW)
    breaker.succeeded()
    breaker.failed(NOW)
    breaker.failed(NOW)
    assert breaker.state(NOW) is BreakerState.CLOSED


def test_after_the_cooldown_exactly_one_trial_call_goes_out() -> None:
    breaker = _opened_breaker(NOW)
    later = NOW + timedelta(seconds=30)
    assert breaker.state(later) is BreakerState.HALF_OPEN
    assert breaker.allows(later)
    assert not breaker.allows(later)
    assert not breaker.allows(later + timedelta(minutes=10))


def test_a_successful_trial_closes_the_breaker() -> None:
    breaker = _opened_breaker(NOW)
    assert breaker.allows(NOW + timedelta(minutes=1))
    breaker.succeeded()
    assert breaker.state(NOW + timedelta(minutes=1)) is BreakerState.CLOSED
    assert breaker.allows(NOW + timedelta(minutes=1))


def test_a_failed_trial_opens_the_breaker_for_a_new_cooldown() -> None:
    breaker = _opened_breaker(NOW)
    trial_at = NOW + timedelta(minutes=1)
    assert breaker.allows(trial_at)
    breaker.failed(trial_at)
    assert breaker.state(trial_at + 29 * SECOND) is BreakerState.OPEN
    assert breaker.allows(trial_at + 30 * SECOND)


def test_vendors_are_blocked_while_open_or_while_their_trial_is_out() -> None:
    breakers = VendorBreakers(threshold=1, cooldown=timedelta(seconds=30))
    breakers.of("healthy").succeeded()
    breakers.of("down").failed(NOW)
    breakers.of("recovering").failed(NOW - timedelta(minutes=1))
    breakers.of("trying").failed(NOW - timedelta(minutes=1))
    assert breakers.of("trying").allows(NOW)
    assert breakers.blocked(NOW) == ["down", "trying"]
    assert breakers.of("down") is breakers.breakers["down"]
    assert breakers.of("down").cooldown == timedelta(seconds=30)


# Engagement and the case's next state


def test_vendors_with_error_codes_or_device_types_engage_automatically() -> None:
    assert engages_automatically(MICROSOFT)
    assert not engages_automatically(ISP)  # no conditions at all
    assert not engages_automatically(_with_rules(worked_by={"L2": "30m"}))
    assert engages_automatically(_with_rules(device_types=["firewall"]))


def test_trigger_blockers_ignore_time_and_time_blockers_ignore_triggers() -> None:
    ticket = _ticket(error_codes=("0x8007000E",))
    held = ticket.held_by_tier(NOW)
    assert trigger_blockers(MICROSOFT, ticket, ACME) == [
        "error codes 0x8007000E are not among AADSTS*, 0x8004*"
    ]
    assert time_blockers(MICROSOFT, held) == ["L2 has had the ticket 10 min, not yet 30 min"]
    assert time_blockers(MICROSOFT, {"L2": 30 * MINUTE}) == []


def test_an_automatic_engagement_waits_until_the_tier_has_had_the_ticket_long_enough() -> None:
    plan = prepare(MICROSOFT, _ticket(), ACME, {}, wait_for_tiers=True, now=NOW)
    assert plan.status is CaseStatus.WAITING_CONDITIONS
    assert plan.blockers == ("L2 has had the ticket 10 min, not yet 30 min",)
    assert plan.eligible_at == NOW + 20 * MINUTE


def test_a_ticket_outside_the_named_tier_waits_without_a_moment() -> None:
    plan = prepare(MICROSOFT, _ticket(tier="L1"), ACME, {}, wait_for_tiers=True, now=NOW)
    assert plan.status is CaseStatus.WAITING_CONDITIONS
    assert plan.eligible_at is None


def test_missing_required_data_is_asked_for_once_the_wait_is_over() -> None:
    ticket = _ticket(tier_since=NOW - 45 * MINUTE)
    plan = prepare(MICROSOFT, ticket, ACME, {}, wait_for_tiers=True, now=NOW)
    assert plan.status is CaseStatus.NEEDS_DATA
    assert [f.name for f in plan.data.missing] == ["affected_users"]


def test_a_request_by_a_person_does_not_wait_and_a_complete_email_case_is_pending() -> None:
    plan = prepare(
        MICROSOFT, _ticket(), ACME, {"affected_users": "14"}, wait_for_tiers=False, now=NOW
    )
    assert plan.status is CaseStatus.PENDING
    assert plan.blockers == ()
    assert plan.data.values["affected_users"] == "14"


def test_a_phone_vendor_needs_a_call_but_only_once_its_data_is_complete() -> None:
    complete = prepare(ISP, _ticket(), ACME, {}, wait_for_tiers=True, now=NOW)
    assert complete.status is CaseStatus.CALL_NEEDED
    incomplete = prepare(ISP, _ticket(), GLOBEX, {}, wait_for_tiers=True, now=NOW)
    assert incomplete.status is CaseStatus.NEEDS_DATA
    assert [f.name for f in incomplete.data.missing] == ["circuit_id"]


def test_eligible_at_waits_for_the_current_tier_once_earlier_tiers_are_met() -> None:
    vendor = _with_rules(worked_by={"L1": "10m", "L2": "30m"})
    met_l1 = _ticket(tier_held={"L1": 15 * MINUTE}, tier_since=NOW - 5 * MINUTE)
    short_l1 = _ticket(tier_held={"L1": 5 * MINUTE}, tier_since=NOW - 5 * MINUTE)
    assert eligible_at(vendor, met_l1, NOW) == NOW + 25 * MINUTE
    assert eligible_at(vendor, short_l1, NOW) is None
    assert eligible_at(vendor, _ticket(tier_since=NOW - 31 * MINUTE), NOW) is None
    assert eligible_at(ISP, _ticket(), NOW) == NOW  # no conditions: now


def test_held_by_tier_adds_the_current_stint_and_never_counts_backwards() -> None:
    ticket = _ticket(tier_held={"L1": 15 * MINUTE, "L2": 5 * MINUTE})
    assert ticket.held_by_tier(NOW) == {"L1": 15 * MINUTE, "L2": 15 * MINUTE}
    assert ticket.held_by_tier(NOW - timedelta(hours=1))["L2"] == 5 * MINUTE


def test_moving_tiers_banks_the_stint_in_hand() -> None:
    ticket = _ticket(tier_held={"L1": 15 * MINUTE})
    assert ticket.moved_to("L3", NOW) == {"L1": 15 * MINUTE, "L2": 10 * MINUTE}
    back = _ticket(tier="L1", tier_held={"L1": 15 * MINUTE, "L2": 10 * MINUTE})
    assert back.moved_to("L2", NOW)["L1"] == 25 * MINUTE
    assert ticket.moved_to("L2", NOW) == {"L1": 15 * MINUTE}  # no move: nothing banked
    assert _ticket(tier=None, tier_since=None).moved_to("L1", NOW) == {}


def test_the_tag_is_the_reference_else_the_ticket_id() -> None:
    assert _ticket(reference="TKT-1042").tag == "[TKT-1042]"
    assert _ticket().tag == "[t-1]"
