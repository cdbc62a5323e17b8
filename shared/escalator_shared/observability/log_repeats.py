"""Fewer lines for the same complaint: while the broker is away aiokafka logs "Unable connect
to node" and its like at ERROR many times a second (thousands in a 25 s outage). A logger's
repeats of one message template pass once per interval, the next one saying how many were held
back; the outage itself is reported by our own warnings (`escalator_shared.outages`)."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

REPEAT_INTERVAL_SECONDS = 30.0


class RepeatFilter(logging.Filter):
    """Pass a record of a logger under `prefix` unless the same logger passed one with the same
    message template less than `interval` seconds ago."""

    def __init__(
        self,
        prefix: str,
        interval: float = REPEAT_INTERVAL_SECONDS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        super().__init__(prefix)  # logging.Filter's own test: that logger or one below it
        self._interval = interval
        self._clock = clock
        # (logger, template) -> (when it last passed, how many held back since)
        self._seen: dict[tuple[str, str], tuple[float, int]] = {}

    def filter(self, record: logging.LogRecord) -> bool:
        """Whether the record is written (a passing repeat gets the held-back count added)."""
        if not super().filter(record):
            return True  # another logger's record: not ours to thin out
        key, now = (record.name, str(record.msg)), self._clock()
        passed = self._seen.get(key)
        if passed is not None and now - passed[0] < self._interval:
            self._seen[key] = (passed[0], passed[1] + 1)
            return False
        held = passed[1] if passed is not None else 0
        self._seen[key] = (now, 0)
        if held:
            record.msg = f"{record.msg} ({held} more like it in the last {self._interval:g} s)"
        return True
