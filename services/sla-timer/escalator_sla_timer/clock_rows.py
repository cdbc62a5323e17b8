"""Clock rows to domain clocks and back; the shard a ticket's clocks belong to."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from aiokafka.partitioner import murmur2

from escalator_sla_timer.domain.clock import Alerting, Calendar, Clock, ClockState

_POSITIVE = 0x7FFFFFFF


@lru_cache(maxsize=4096)
def shard_of(ticket_id: str) -> int:
    """The ticket key's hash as Kafka's default partitioner takes it: `% partitions` is the
    partition its events travel on, so the instance consuming them fires its clocks. Cached:
    a ticket's clocks are mostly written together."""
    return int(murmur2(ticket_id.encode())) & _POSITIVE


@dataclass(frozen=True)
class StoredClock:
    """A clock with what identifies it in the store."""

    id: str
    ticket_id: str
    client_id: str
    metric: str
    cycle: int
    policy: str
    calendar: str
    priority: str
    correlation_id: str
    drill: bool
    vendor: str | None
    case_reference: str | None
    clock: Clock


def from_row(row: Any) -> StoredClock:
    """The clock a `clocks` row holds."""
    clock = Clock(
        target=row.target,
        started_at=row.started_at,
        due_at=row.due_at,
        state=ClockState(row.state),
        elapsed=row.elapsed,
        running_since=row.running_since,
        stopped_at=row.stopped_at,
        breached_at=row.breached_at,
        warned=row.warned,
        reminders=row.reminders,
        alerting=Alerting(tuple(row.warn_at), row.remind_every, row.remind_limit),
    )
    return StoredClock(
        id=row.id,
        ticket_id=row.ticket_id,
        client_id=row.client_id,
        metric=row.metric,
        cycle=row.cycle,
        policy=row.policy,
        calendar=row.calendar,
        priority=row.priority,
        correlation_id=row.correlation_id,
        drill=row.drill,
        vendor=row.vendor,
        case_reference=row.case_reference,
        clock=clock,
    )


def state_values(clock: Clock, calendar: Calendar) -> dict[str, Any]:
    """The columns a transition changes, with the next firing."""
    return {
        "target": clock.target,
        "elapsed": clock.elapsed,
        "state": clock.state.value,
        "started_at": clock.started_at,
        "running_since": clock.running_since,
        "due_at": clock.due_at,
        "stopped_at": clock.stopped_at,
        "breached_at": clock.breached_at,
        "warned": clock.warned,
        "reminders": clock.reminders,
        "warn_at": list(clock.alerting.warn_at),
        "remind_every": clock.alerting.remind_every,
        "remind_limit": clock.alerting.remind_limit,
        "fire_at": clock.fire_at(calendar),
    }


def new_row(stored: StoredClock, calendar: Calendar) -> dict[str, Any]:
    """A whole row for a new clock."""
    return {
        "id": stored.id,
        "ticket_id": stored.ticket_id,
        "client_id": stored.client_id,
        "metric": stored.metric,
        "cycle": stored.cycle,
        "policy": stored.policy,
        "calendar": stored.calendar,
        "priority": stored.priority,
        "correlation_id": stored.correlation_id,
        "drill": stored.drill,
        "vendor": stored.vendor,
        "case_reference": stored.case_reference,
        "shard": shard_of(stored.ticket_id),
        **state_values(stored.clock, calendar),
    }


def seconds(value: Any) -> int:
    """Whole seconds of a timedelta (events carry seconds)."""
    return int(value.total_seconds())
