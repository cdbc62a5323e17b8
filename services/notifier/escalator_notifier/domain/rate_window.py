"""Per-person, per-channel rate limits: a fixed window that admits `max` messages.

What the window does not admit waits in one bundle, which goes out when the window ends or
`bundle_wait` after its first message, whichever comes first (Grafana OnCall bundles over two
minutes; GoAlert allows five SMS per fifteen minutes).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from escalator_shared.config import RateLimit


@dataclass(frozen=True)
class RateWindow:
    """The window one person's channel is in: when it started and how many went out."""

    start: datetime
    sent: int


def admit(
    window: RateWindow | None, limit: RateLimit | None, now: datetime
) -> tuple[bool, RateWindow]:
    """Whether one more message may go now, and the window after it (counted if it may)."""
    if window is None or limit is None or now >= window.start + limit.per:
        return True, RateWindow(now, 1)
    if window.sent < limit.max:
        return True, RateWindow(window.start, window.sent + 1)
    return False, window


def bundle_due(window: RateWindow, limit: RateLimit, wait: timedelta, now: datetime) -> datetime:
    """When the bundle of what this window refused goes out."""
    return min(window.start + limit.per, now + wait)
