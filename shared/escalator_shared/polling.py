"""A background loop that repeats a step, pausing whenever the step found nothing to do.

A step that fails because the database or broker is unavailable (`errors.is_transient`) is
tried again after a growing pause (`outages.Outage`: one warning, not a traceback per try); any
other error ends the loop (the runtime logs it and restarts the task).
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable

from escalator_shared.errors import is_transient
from escalator_shared.outages import Outage


class PollingLoop:
    """Run `step` until `stop()`; after a step that returns False, wait `poll_seconds` or until
    `wake()`."""

    def __init__(
        self,
        step: Callable[[], Awaitable[bool]],
        poll_seconds: float,
        *,
        first_outage_pause: float = 0.2,
    ) -> None:
        self._step = step
        self._poll_seconds = poll_seconds
        self._stopping = asyncio.Event()
        self._woken = asyncio.Event()
        name = getattr(step, "__qualname__", None) or repr(step)
        self._outage = Outage(name, first_pause=first_outage_pause)

    async def run(self) -> None:
        """Repeat the step; a step that returns True (more work waiting) runs again at once."""
        while not self._stopping.is_set():
            self._woken.clear()
            try:
                more = await self._step()
            except Exception as exc:
                if not is_transient(exc):
                    raise
                # Not cut short by wake(): commits that would wake it need the database too.
                await _wait(self._stopping, self._outage.failed(exc))
                continue
            self._outage.over()
            if not more:
                await _wait(self._woken, self._poll_seconds)

    def wake(self) -> None:
        """End the current pause: new work is waiting (e.g. a commit just queued some)."""
        self._woken.set()

    def stop(self) -> None:
        """End the loop after the step in hand."""
        self._stopping.set()
        self._woken.set()


async def _wait(event: asyncio.Event, seconds: float) -> None:
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(event.wait(), timeout=seconds)
