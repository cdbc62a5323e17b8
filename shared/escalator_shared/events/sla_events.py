"""SLA, OLA and vendor clock events: the `sla` stream.

Clock times are business time in the clock's calendar; instants are UTC.
"""

from __future__ import annotations

from datetime import datetime
from typing import ClassVar

from pydantic import Field

from escalator_shared.events.envelope import Event
from escalator_shared.events.values import Priority


class SlaClockStarted(Event):
    """An SLA/OLA clock began running for the ticket."""

    event_type: ClassVar[str] = "SlaClockStarted"
    stream: ClassVar[str] = "sla"

    clock_id: str = Field(description="Id of the clock.")
    metric: str = Field(description="What it measures, e.g. response.")
    policy: str = Field(description="SLA policy that set the target.")
    target_seconds: int = Field(description="Target duration (business time).")
    due_at: datetime = Field(description="When it breaches if not fulfilled.")
    calendar: str = Field(default="24x7", description="Calendar the target counts in.")
    started_at: datetime | None = Field(default=None, description="When it started counting.")


class SlaClockRetargeted(Event):
    """A running clock's target changed because the ticket's priority did (routing, a person)."""

    event_type: ClassVar[str] = "SlaClockRetargeted"
    stream: ClassVar[str] = "sla"

    clock_id: str = Field(description="Id of the clock.")
    metric: str = Field(description="What it measures.")
    priority: Priority = Field(description="The priority the target is now for.")
    previous_target_seconds: int = Field(description="The target before.")
    target_seconds: int = Field(description="The new target.")
    due_at: datetime = Field(description="When it breaches now.")
    reason: str = Field(description="Why, e.g. 'routed at P2 by rule acme-vip-fast-track'.")


class SlaClockStopped(Event):
    """A clock stopped before breaching: fulfilled (met) or cancelled."""

    event_type: ClassVar[str] = "SlaClockStopped"
    stream: ClassVar[str] = "sla"

    clock_id: str = Field(description="Id of the clock.")
    metric: str = Field(description="What it measures.")
    outcome: str = Field(description="fulfilled or cancelled.")
    elapsed_seconds: int = Field(description="Business time the clock ran.")
    stopped_at: datetime = Field(description="When.")


class SlaClockPaused(Event):
    """A clock stopped counting while the ticket waits (customer, vendor, on hold)."""

    event_type: ClassVar[str] = "SlaClockPaused"
    stream: ClassVar[str] = "sla"

    clock_id: str = Field(description="Id of the clock.")
    metric: str = Field(description="What it measures.")
    reason: str = Field(description="The hold reason, e.g. awaiting_customer.")
    paused_at: datetime = Field(description="When.")
    elapsed_seconds: int = Field(description="Business time used so far.")
    remaining_seconds: int = Field(description="Business time left (negative once breached).")


class SlaClockResumed(Event):
    """A paused clock counts again."""

    event_type: ClassVar[str] = "SlaClockResumed"
    stream: ClassVar[str] = "sla"

    clock_id: str = Field(description="Id of the clock.")
    metric: str = Field(description="What it measures.")
    resumed_at: datetime = Field(description="When.")
    due_at: datetime = Field(description="When it breaches now.")


class SlaWarningReached(Event):
    """A clock passed a warning threshold."""

    event_type: ClassVar[str] = "SlaWarningReached"
    stream: ClassVar[str] = "sla"

    clock_id: str = Field(description="Id of the clock.")
    metric: str = Field(description="What it measures.")
    percent: int = Field(description="Share of the target used, e.g. 75.")
    due_at: datetime = Field(description="When it breaches.")


class SlaBreached(Event):
    """A clock reached its target unfulfilled."""

    event_type: ClassVar[str] = "SlaBreached"
    stream: ClassVar[str] = "sla"

    clock_id: str = Field(description="Id of the clock.")
    metric: str = Field(description="What it measures.")
    policy: str = Field(description="SLA policy that set the target.")
    target_seconds: int = Field(description="Target duration.")
    due_at: datetime = Field(description="When it was due.")
    breached_at: datetime = Field(description="When the timer fired.")


class SlaBreachReminded(Event):
    """A breached clock still runs: a reminder, `reminder` of the policy's limit."""

    event_type: ClassVar[str] = "SlaBreachReminded"
    stream: ClassVar[str] = "sla"

    clock_id: str = Field(description="Id of the clock.")
    metric: str = Field(description="What it measures.")
    reminder: int = Field(description="Which reminder, from 1.")
    due_at: datetime = Field(description="When it was due.")
    overdue_seconds: int = Field(description="Wall-clock time since it was due.")
