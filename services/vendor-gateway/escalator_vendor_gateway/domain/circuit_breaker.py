"""A circuit breaker per vendor: after repeated failures, stop calling the vendor for a while.

Closed: calls go through; `threshold` failures in a row open it. Open: no calls until `cooldown`
has passed. Half-open: one trial call; success closes it, failure opens it again.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum


class BreakerState(StrEnum):
    """The breaker's state, as the gauge and the API show it."""

    CLOSED = "closed"
    OPEN = "open"
    HALF_OPEN = "half_open"


@dataclass
class CircuitBreaker:
    """One vendor's breaker; the caller passes the time, so it is tested without waiting."""

    threshold: int = 5
    cooldown: timedelta = timedelta(seconds=30)
    failures: int = 0
    opened_at: datetime | None = None
    trial_running: bool = field(default=False)

    def state(self, now: datetime) -> BreakerState:
        """Closed, open, or half-open (cooldown over)."""
        if self.opened_at is None:
            return BreakerState.CLOSED
        if now - self.opened_at < self.cooldown:
            return BreakerState.OPEN
        return BreakerState.HALF_OPEN

    def allows(self, now: datetime) -> bool:
        """Whether a call may go out now (half-open: one trial at a time)."""
        state = self.state(now)
        if state is BreakerState.CLOSED:
            return True
        if state is BreakerState.HALF_OPEN and not self.trial_running:
            self.trial_running = True
            return True
        return False

    def succeeded(self) -> None:
        """A call got through: close."""
        self.failures, self.opened_at, self.trial_running = 0, None, False

    def failed(self, now: datetime) -> None:
        """A call failed in a way that counts (the vendor down, not our bad request)."""
        self.failures += 1
        if self.trial_running or self.failures >= self.threshold:
            self.opened_at = now
        self.trial_running = False


@dataclass
class VendorBreakers:
    """The breakers of every vendor, made on first use."""

    threshold: int = 5
    cooldown: timedelta = timedelta(seconds=30)
    breakers: dict[str, CircuitBreaker] = field(default_factory=dict)

    def of(self, vendor: str) -> CircuitBreaker:
        """The vendor's breaker."""
        if vendor not in self.breakers:
            self.breakers[vendor] = CircuitBreaker(self.threshold, self.cooldown)
        return self.breakers[vendor]

    def blocked(self, now: datetime) -> list[str]:
        """Vendors no call may go to now (open, or half-open with its trial out)."""
        return [
            vendor
            for vendor, breaker in self.breakers.items()
            if breaker.state(now) is BreakerState.OPEN
            or (breaker.state(now) is BreakerState.HALF_OPEN and breaker.trial_running)
        ]
