"""What one alert does to the tickets, given what is open: the storm and flapping rules."""

from __future__ import annotations

from enum import StrEnum

from escalator_shared.events import AlertStatus, Priority


class AlertAction(StrEnum):
    """The outcome of one alert."""

    OPEN = "open"  # a new condition: a new ticket
    REPEAT = "repeat"  # the condition's ticket is open: count it there
    GROUP = "group"  # a new condition on a device with an open ticket: join that ticket
    REOPEN_FLAPPING = "reopen_flapping"  # it came back soon after resolving: reopen that ticket
    RECOVER = "recover"  # the condition recovered
    ACKNOWLEDGE = "acknowledge"  # the sender acknowledged it
    IGNORE = "ignore"  # nothing open to act on


def decide(
    status: AlertStatus,
    *,
    firing_ticket: bool,
    recently_resolved_ticket: bool,
    device_ticket: bool,
) -> AlertAction:
    """The action for an alert, from what the store found."""
    if status is AlertStatus.RESOLVED:
        return AlertAction.RECOVER if firing_ticket else AlertAction.IGNORE
    if status is AlertStatus.ACKNOWLEDGED:
        return AlertAction.ACKNOWLEDGE if firing_ticket else AlertAction.IGNORE
    if firing_ticket:
        return AlertAction.REPEAT
    if recently_resolved_ticket:
        return AlertAction.REOPEN_FLAPPING
    if device_ticket:
        return AlertAction.GROUP
    return AlertAction.OPEN


def resolves_on_recovery(on_recovery: str, flap_count: int, flap_threshold: int) -> bool:
    """When a ticket's last alert recovers: resolve it, unless the client wants it flagged for a
    technician, or it is flapping (resolving would only start the next cycle)."""
    return on_recovery == "resolve" and flap_count < flap_threshold


def raised_priority(current: Priority, incoming: Priority) -> Priority | None:
    """The priority a ticket takes when an alert of `incoming` priority joins or repeats on it:
    `incoming` when it is higher (P1 is the highest), else None. Alerts never lower a ticket."""
    return incoming if _rank(incoming) < _rank(current) else None


def _rank(priority: Priority) -> int:
    return list(Priority).index(priority)
