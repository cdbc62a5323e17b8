"""Clock arithmetic and life, as pure functions (24x7 calendar for now)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from escalator_shared.config import EscalatorConfig
from escalator_shared.events import Priority

RESPONSE = "response"


class ClockState(StrEnum):
    """Where a clock is in its life."""

    RUNNING = "running"
    FULFILLED = "fulfilled"
    BREACHED = "breached"
    CANCELLED = "cancelled"


@dataclass(frozen=True)
class ClockPlan:
    """A clock to start: which policy, which target, when it falls due."""

    metric: str
    policy: str
    target: timedelta
    due_at: datetime


def plan_response_clock(
    config: EscalatorConfig, client_id: str, priority: Priority, started_at: datetime
) -> ClockPlan:
    """The response clock the client's SLA policy promises for this priority."""
    policy = config.sla_policy(config.client(client_id).sla_policy)
    target = policy.response_target(priority)
    return ClockPlan(metric=RESPONSE, policy=policy.id, target=target, due_at=started_at + target)


def elapsed_seconds(started_at: datetime, now: datetime) -> int:
    """Whole seconds a clock has run."""
    return max(0, int((now - started_at).total_seconds()))
