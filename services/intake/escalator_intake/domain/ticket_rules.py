"""What may happen to a ticket in which state (ServiceNow's state model, in part)."""

from __future__ import annotations

from enum import StrEnum

REFERENCE_PREFIX = "TKT-"


def ticket_reference(number: int) -> str:
    """The human-friendly reference of a ticket number, e.g. TKT-1042 (subjects, phone calls)."""
    return f"{REFERENCE_PREFIX}{number}"


def reference_number(reference: str) -> int | None:
    """The number in a reference like TKT-1042 (any case), else None."""
    prefix, _, digits = reference.strip().upper().partition("-")
    if f"{prefix}-" != REFERENCE_PREFIX or not digits.isdigit():
        return None
    return int(digits)


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


class HoldReason(StrEnum):
    """Why a ticket is on hold; customer and vendor waits pause the client's SLA clocks."""

    AWAITING_CUSTOMER = "awaiting_customer"
    AWAITING_VENDOR = "awaiting_vendor"
    AWAITING_CHANGE = "awaiting_change"


# States a technician may set directly; resolve and reopen have their own commands.
SETTABLE = frozenset({TicketStatus.IN_PROGRESS, TicketStatus.ON_HOLD, TicketStatus.CANCELLED})


def check_reopen(status: TicketStatus) -> None:
    """Only a resolved ticket reopens; a closed one is final (open a new ticket instead)."""
    if status is not TicketStatus.RESOLVED:
        raise TransitionRefusedError(
            f"only a resolved ticket can be reopened; it is {status.value}"
        )


def check_set_status(
    status: TicketStatus, wanted: TicketStatus, hold_reason: HoldReason | None, role: str
) -> None:
    """Which direct state changes are allowed, and what they need."""
    if wanted not in SETTABLE:
        allowed = ", ".join(sorted(s.value for s in SETTABLE))
        raise TransitionRefusedError(
            f"status {wanted.value} is set by its own command; here use one of {allowed}"
        )
    if status in ENDED:
        raise TransitionRefusedError(f"the ticket is {status.value}; reopen it first")
    if (wanted is TicketStatus.ON_HOLD) != (hold_reason is not None):
        raise TransitionRefusedError("on_hold needs a hold_reason, and only on_hold takes one")
    if wanted is TicketStatus.CANCELLED and role == "technician":
        raise TransitionRefusedError("cancelling a ticket needs a manager or admin")


def check_open(status: TicketStatus, command: str) -> None:
    """Commands that only make sense on an open ticket."""
    if status in ENDED:
        raise TransitionRefusedError(f"the ticket is {status.value}; it cannot be {command}")
