"""Waiting out an infrastructure outage in a background loop, without a log line per retry.

A loop that meets a transient error (`errors.is_transient`: the database or the broker is not
available) keeps an `Outage`: `failed` logs one warning when the outage begins (and one a minute
while it lasts) and says how long to pause before the next try, growing from `first_pause` to
`longest_pause`; `over` logs once that the loop works again. Tracebacks are for bugs, not for a
database that restarts. `retry_while_unavailable` retries one operation so, for as long as its
result is still worth having (a delivery's answer while its lease lasts).
"""

from __future__ import annotations

import asyncio
import logging
import random
import time
from collections.abc import Awaitable, Callable
from typing import TypeVar

from escalator_shared.errors import is_transient

log = logging.getLogger(__name__)
_T = TypeVar("_T")

_REMIND_EVERY_SECONDS = 60.0


class Outage:
    """One loop's view of an outage: its pauses and its few log lines."""

    def __init__(self, what: str, *, first_pause: float = 0.2, longest_pause: float = 10.0) -> None:
        self.what = what
        self._first = first_pause
        self._longest = longest_pause
        self.failures = 0
        self._began = 0.0
        self._reminded = 0.0

    def failed(self, exc: BaseException) -> float:
        """Note one transient failure; the seconds to pause before trying again."""
        now = time.monotonic()
        self.failures += 1
        if self.failures == 1:
            self._began = self._reminded = now
            log.warning("%s waiting for the database or broker: %s", self.what, _describe(exc))
        elif now - self._reminded >= _REMIND_EVERY_SECONDS:
            self._reminded = now
            log.warning(
                "%s still waiting after %.0fs (%d tries): %s",
                self.what,
                now - self._began,
                self.failures,
                _describe(exc),
            )
        pause = min(self._first * 2.0 ** (self.failures - 1), self._longest)
        jitter: float = random.uniform(0.8, 1.2)
        return pause * jitter

    def over(self) -> None:
        """The loop works again: say so once, if it had been waiting."""
        if self.failures:
            log.info(
                "%s working again after %.1fs (%d failed tries)",
                self.what,
                time.monotonic() - self._began,
                self.failures,
            )
        self.failures = 0


def _describe(exc: BaseException) -> str:
    text = " ".join(str(exc).split())[:300]
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


async def retry_while_unavailable(
    operation: Callable[[], Awaitable[_T]], outage: Outage, *, until: float
) -> _T:
    """Run `operation`, again after each transient failure, until it succeeds or the
    `time.monotonic()` reading `until` passes (then its last error is raised)."""
    while True:
        try:
            result = await operation()
        except Exception as exc:
            left = until - time.monotonic()
            if not is_transient(exc) or left <= 0:
                raise
            await asyncio.sleep(min(outage.failed(exc), left))
        else:
            outage.over()
            return result
