"""Weekly time windows (business hours, rule times of day) tested at an instant."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from zoneinfo import ZoneInfo

from escalator_router.domain.schedule_windows import covers, wall_clock
from escalator_shared.config import TimeWindow


def within(windows: Sequence[TimeWindow], at: datetime, zone: ZoneInfo) -> bool:
    """Whether the instant falls in any window, read in `zone`; no windows means always."""
    return not windows or covers(windows, wall_clock(at, zone))
