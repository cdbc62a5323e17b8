"""What may happen to a ticket in which state (ServiceNow's state model, in part)."""

from __future__ import annotations

from enum import StrEnum


class TicketStatus(StrEnum):
    """Ticket states."""

    NEW = "new"
    IN_PROGRESS = "in_progress"
    ON_HOLD = "on_hold"
    RESOLVED = "resolved"
    CLOSED = "closed"
    CANCELLED = "cancelled"


ENDED = frozenset({TicketStatus.RESOLVED, TicketStatus.CLOSED, TicketStatus.CANCELLED})


class TransitionRefusedError(Exception):
    """The command does not apply to the ticket in its present state."""


def check_acknowledge(status: TicketStatus, acknowledged_by: str | None) -> None:
    """Acknowledging needs an open ticket nobody acknowledged yet."""
    if status in ENDED:
        raise TransitionRefusedError(f"the ticket is {status.value}; it cannot be acknowledged")
    if acknowledged_by is not None:
        raise TransitionRefusedError(f"the ticket was already acknowledged by {acknowledged_by}")


def check_resolve(status: TicketStatus) -> None:
    """Resolving needs an open ticket."""
    if status in ENDED:
        raise TransitionRefusedError(f"the ticket is already {status.value}")
