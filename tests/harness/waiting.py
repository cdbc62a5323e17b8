"""Waiting for an eventually-consistent system: poll a check until it holds or time runs out."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Literal, TypeVar

_T = TypeVar("_T")


def eventually(
    check: Callable[[], _T | Literal[False] | None],
    within: float,
    what: str,
    detail: Callable[[], str] | None = None,
) -> _T:
    """The first truthy result of `check`; AssertionError naming `what` after `within` seconds."""
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        result = check()
        if result:
            return result
        time.sleep(0.2)
    extra = f"\n{detail()}" if detail else ""
    raise AssertionError(f"{what} within {within}s{extra}")
