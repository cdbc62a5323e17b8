"""When to try a vendor again: exponential backoff with full jitter, and the vendor's Retry-After.

Full jitter (a random wait between zero and the exponential cap) spreads the retries of many
cases failing together, so a vendor coming back is not hit by all of them at once.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import timedelta


@dataclass(frozen=True)
class RetryPolicy:
    """Attempts allowed, and the backoff between them."""

    max_attempts: int = 6
    base: timedelta = timedelta(seconds=1)
    cap: timedelta = timedelta(minutes=5)

    def delay(
        self,
        attempts: int,
        retry_after: timedelta | None = None,
        rng: random.Random | None = None,
    ) -> timedelta:
        """Wait before attempt `attempts + 1`: jittered backoff, never less than Retry-After."""
        ceiling: timedelta = min(self.cap, self.base * (2 ** max(attempts - 1, 0)))
        jittered: timedelta = ceiling * (rng or random).random()
        if retry_after is not None:
            floor: timedelta = min(retry_after, self.cap)
            return max(jittered, floor)
        return jittered

    def exhausted(self, attempts: int) -> bool:
        """Whether no attempt is left after `attempts`."""
        return attempts >= self.max_attempts
