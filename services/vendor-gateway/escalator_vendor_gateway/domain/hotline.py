"""A vendor's hotline: whether it is open now, and its hours in words for the call sheet."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from escalator_shared.config.oncall import windows_cover
from escalator_shared.config.vendors import Hotline


def is_open(hotline: Hotline, at: datetime) -> bool:
    """Whether someone answers at `at` (no hours given: around the clock)."""
    return windows_cover(hotline.hours, at.astimezone(ZoneInfo(hotline.time_zone)))


def hours_text(hotline: Hotline) -> str:
    """e.g. `mon-fri 07:00-22:00 Europe/London`; `around the clock` without hours."""
    if not hotline.hours:
        return "around the clock"
    windows = [f"{','.join(w.days)} {w.start:%H:%M}-{w.end:%H:%M}" for w in hotline.hours]
    return f"{'; '.join(windows)} ({hotline.time_zone})"
