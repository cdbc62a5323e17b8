"""Weekly time windows (business hours, rule times of day) tested at an instant."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from zoneinfo import ZoneInfo

from escalator_router.domain.schedule_windows import wall_clock
from escalator_shared.config import TimeWindow
from escalator_shared.config.oncall import windows_cover


def within(windows: Sequence[TimeWindow], at: datetime, zone: ZoneInfo) -> bool:
    """Whether the instant falls in any window, read in `zone`; no windows means always."""
    return not windows or windows_cover(windows, wall_clock(at, zone))
