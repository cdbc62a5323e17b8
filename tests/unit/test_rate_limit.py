"""Token buckets: bursts pass, a steady excess waits the right time."""

from __future__ import annotations

import pytest

from escalator_intake.domain.rate_limit import RateLimiter


def test_a_burst_passes_then_requests_wait_for_the_rate() -> None:
    limiter = RateLimiter()
    assert all(limiter.take("a", rate=10, burst=5, now=0.0) is None for _ in range(5))
    wait = limiter.take("a", rate=10, burst=5, now=0.0)
    assert wait == pytest.approx(0.1)
    assert limiter.take("a", rate=10, burst=5, now=0.1) is None
    assert limiter.take("b", rate=10, burst=5, now=0.1) is None  # keys are independent


def test_tokens_never_exceed_the_burst() -> None:
    limiter = RateLimiter()
    limiter.take("a", rate=100, burst=2, now=0.0)
    allowed = [limiter.take("a", rate=100, burst=2, now=1000.0) is None for _ in range(3)]
    assert allowed == [True, True, False]
