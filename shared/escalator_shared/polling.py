"""A background loop that repeats a step, pausing whenever the step found nothing to do."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable


class PollingLoop:
    """Run `step` until `stop()`; after a step that returns False, wait `poll_seconds`."""

    def __init__(self, step: Callable[[], Awaitable[bool]], poll_seconds: float) -> None:
        self._step = step
        self._poll_seconds = poll_seconds
        self._stopping = asyncio.Event()

    async def run(self) -> None:
        """Repeat the step; a step that returns True (more work waiting) runs again at once."""
        while not self._stopping.is_set():
            if not await self._step():
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._stopping.wait(), timeout=self._poll_seconds)

    def stop(self) -> None:
        """End the loop after the step in hand."""
        self._stopping.set()
