"""A background loop that repeats a step, pausing whenever the step found nothing to do."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable


class PollingLoop:
    """Run `step` until `stop()`; after a step that returns False, wait `poll_seconds` or until
    `wake()`."""

    def __init__(self, step: Callable[[], Awaitable[bool]], poll_seconds: float) -> None:
        self._step = step
        self._poll_seconds = poll_seconds
        self._stopping = asyncio.Event()
        self._woken = asyncio.Event()

    async def run(self) -> None:
        """Repeat the step; a step that returns True (more work waiting) runs again at once."""
        while not self._stopping.is_set():
            self._woken.clear()
            if not await self._step():
                await self._pause()

    def wake(self) -> None:
        """End the current pause: new work is waiting (e.g. a commit just queued some)."""
        self._woken.set()

    def stop(self) -> None:
        """End the loop after the step in hand."""
        self._stopping.set()
        self._woken.set()

    async def _pause(self) -> None:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._woken.wait(), timeout=self._poll_seconds)
