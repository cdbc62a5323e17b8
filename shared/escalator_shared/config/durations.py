"""Durations as people write them in the configuration: 90, "90s", "15m", "1h", "2d", "1h30m"."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Annotated, Any

from pydantic import BeforeValidator, PlainSerializer

_PART = re.compile(r"(\d+)\s*([smhdw])")
_UNIT_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}


def parse_duration(value: Any) -> timedelta:
    """A timedelta from seconds (number) or a text like "1h30m"; ValueError otherwise."""
    if isinstance(value, timedelta):
        return value
    if isinstance(value, bool):
        raise ValueError("expected a duration such as 90, '15m', '1h' or '1h30m'")
    if isinstance(value, int | float):
        seconds = float(value)
    elif isinstance(value, str):
        text = value.strip().lower()
        if text.isdigit():
            seconds = float(text)
        elif text and _PART.sub("", text).strip() == "":
            seconds = float(sum(int(n) * _UNIT_SECONDS[u] for n, u in _PART.findall(text)))
        else:
            raise ValueError(f"expected a duration such as '15m', '1h' or '1h30m', got {value!r}")
    else:
        raise ValueError(f"expected a duration such as 90, '15m' or '1h', got {value!r}")
    if seconds <= 0:
        raise ValueError(f"a duration must be positive, got {value!r}")
    return timedelta(seconds=seconds)


def _seconds(value: timedelta) -> float:
    return value.total_seconds()


# As JSON a duration is its seconds, so a dumped model (a policy snapshot) validates again.
Duration = Annotated[
    timedelta, BeforeValidator(parse_duration), PlainSerializer(_seconds, when_used="json")
]
