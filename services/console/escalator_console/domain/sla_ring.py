"""The SLA ring of a queue row: how much of the target is used, and how it should look.

The ring shows the clock nearest its breach among a ticket's live clocks: amber once the SLA
timer has warned, red once breached, grey while paused (a customer or vendor wait).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Any, Literal

RingState = Literal["ok", "warning", "breached", "paused"]


def metric_name(metric: str) -> str:
    """A clock's metric as people say it: 'response', 'resolution', 'OLA l2', 'vendor'."""
    kind, _, detail = metric.partition(":")
    if kind == "ola":
        return f"OLA {detail}".strip()
    return metric.replace("_", " ")


@dataclass(frozen=True)
class Ring:
    """One clock drawn as a ring."""

    metric: str
    state: RingState
    used: float  # share of the target used, 0..1 (capped for drawing)
    remaining_seconds: float
    due_at: str | None

    @property
    def percent(self) -> int:
        """The share used as a whole percentage (what the ring's label says)."""
        return round(self.used * 100)

    @cached_property
    def left(self) -> str:
        """Time left (or over) in words a person reads at a glance: '1h 05m left'."""
        spoken = spoken_duration(abs(self.remaining_seconds))
        return f"{spoken} over" if self.remaining_seconds < 0 else f"{spoken} left"

    @cached_property
    def label(self) -> str:
        """What a screen reader says for the ring."""
        metric = metric_name(self.metric)
        state = {"ok": "", "warning": ", warning", "breached": ", breached", "paused": ", paused"}
        return f"{metric} SLA {self.percent}% used, {self.left}{state[self.state]}"


def ring_for(clocks: Sequence[Mapping[str, Any]]) -> Ring | None:
    """The ring of a ticket's live clocks (GET /v1/clocks items): the running clock with the
    least time left, else the paused one with the least; None without a live clock."""
    if not clocks:
        return None
    running = [c for c in clocks if c.get("state") == "running"]
    pool = running or list(clocks)
    clock = min(pool, key=lambda c: float(c["remaining_seconds"]))
    target = float(clock["target_seconds"]) or 1.0
    used = max(0.0, min(1.0, float(clock["elapsed_seconds"]) / target))
    remaining = float(clock["remaining_seconds"])
    state: RingState
    if clock.get("breached") or remaining < 0:
        state = "breached"
    elif clock.get("state") == "paused":
        state = "paused"
    elif clock.get("warned_percent"):
        state = "warning"
    else:
        state = "ok"
    return Ring(str(clock["metric"]), state, used, remaining, clock.get("due_at"))


def urgency_key(ring: Ring | None) -> tuple[int, float]:
    """Sort key putting what breaches first on top: breached, then running by time left,
    then paused, then tickets without a live clock."""
    if ring is None:
        return (3, 0.0)
    if ring.state == "paused":
        return (2, ring.remaining_seconds)
    return (0 if ring.state == "breached" else 1, ring.remaining_seconds)


def spoken_duration(seconds: float) -> str:
    """'45s', '12m', '3h 05m', '2d 4h'."""
    whole = int(seconds)
    if whole < 60:
        return f"{whole}s"
    minutes, _ = divmod(whole, 60)
    if minutes < 60:
        return f"{minutes}m"
    hours, minutes = divmod(minutes, 60)
    if hours < 24:
        return f"{hours}h {minutes:02d}m"
    days, hours = divmod(hours, 24)
    return f"{days}d {hours}h"
