"""The facts a template gets about a ticket and its SLA clocks, as pure functions."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from escalator_shared.events import (
    SlaClockPaused,
    SlaClockResumed,
    SlaClockRetargeted,
    SlaClockStarted,
    SlaClockStopped,
)

ClockEvent = (
    SlaClockStarted | SlaClockRetargeted | SlaClockResumed | SlaClockPaused | SlaClockStopped
)
RUNNING, PAUSED, STOPPED = "running", "paused", "stopped"


@dataclass(frozen=True)
class Clock:
    """One running or paused SLA clock of a ticket, as the SLA timer last told."""

    metric: str
    state: str
    due_at: datetime | None
    remaining_seconds: int | None


@dataclass(frozen=True)
class TicketView:
    """What the notifier knows of a ticket from the events it consumed."""

    ticket_id: str
    client_id: str
    client_name: str
    title: str
    priority: str
    reference: str | None = None
    tier: str | None = None
    team: str | None = None
    assignee: str | None = None
    assignee_name: str | None = None
    backup: str | None = None
    requester: str | None = None
    requester_message_id: str | None = None
    clocks: Sequence[Clock] = field(default_factory=tuple)

    @property
    def label(self) -> str:
        """How people name the ticket: its reference, else the start of its id."""
        return self.reference or self.ticket_id[:8]


def clock_state(event: ClockEvent) -> tuple[str, datetime | None, int | None]:
    """What an SLA timer event says of its clock: state, due time, business seconds left."""
    if isinstance(event, SlaClockStopped):
        return STOPPED, None, None
    if isinstance(event, SlaClockPaused):
        return PAUSED, None, event.remaining_seconds
    return RUNNING, event.due_at, None


def when(at: datetime | None) -> str:
    """A time as messages show it."""
    return f"{at:%Y-%m-%d %H:%M} UTC" if at else "-"


def duration_words(seconds: float) -> str:
    """'45 s', '12 min', '3 h 5 min', '2 d 4 h'."""
    whole = abs(int(seconds))
    if whole < 60:
        return f"{whole} s"
    minutes = whole // 60
    if minutes < 60:
        return f"{minutes} min"
    hours, minutes = divmod(minutes, 60)
    if hours < 48:
        return f"{hours} h {minutes} min" if minutes else f"{hours} h"
    days, hours = divmod(hours, 24)
    return f"{days} d {hours} h" if hours else f"{days} d"


def clock_words(clock: Clock, now: datetime) -> str:
    """How much time a clock has left, as a person reads it."""
    if clock.state == "paused":
        kept = clock.remaining_seconds or 0
        return f"paused, {duration_words(kept)} left" if kept >= 0 else "paused, breached"
    if clock.due_at is None:
        return "running"
    left = (clock.due_at - now).total_seconds()
    return f"{duration_words(left)} left" if left >= 0 else f"overdue by {duration_words(left)}"


def ticket_context(ticket: TicketView, now: datetime) -> dict[str, Any]:
    """The `ticket` and `sla` variables of every template."""
    return {
        "ticket": {
            "id": ticket.ticket_id,
            "reference": ticket.reference,
            "label": ticket.label,
            "tag": f"[{ticket.reference}]" if ticket.reference else "",
            "title": ticket.title,
            "priority": ticket.priority,
            "client": ticket.client_id,
            "client_name": ticket.client_name,
            "tier": ticket.tier,
            "assignee": ticket.assignee,
            "assignee_name": ticket.assignee_name,
        },
        "sla": [
            {
                "metric": c.metric,
                "due_at": when(c.due_at) if c.state != "paused" and c.due_at else "",
                "remaining": clock_words(c, now),
            }
            for c in ticket.clocks
        ],
    }


def facts(ticket: TicketView, now: datetime) -> list[tuple[str, str]]:
    """The short facts chat cards show beside the text."""
    shown = [("Priority", ticket.priority), ("Client", ticket.client_name)]
    if ticket.tier:
        shown.append(("Tier", ticket.tier))
    if ticket.assignee_name:
        shown.append(("Assignee", ticket.assignee_name))
    shown.extend((f"SLA {c.metric}", clock_words(c, now)) for c in ticket.clocks)
    return shown
