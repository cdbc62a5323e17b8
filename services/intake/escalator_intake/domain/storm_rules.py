"""What one alert does to the tickets, given what is open: the storm and flapping rules."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from escalator_shared.events import AlertStatus, Priority


class AlertAction(StrEnum):
    """The outcome of one alert."""

    OPEN = "open"  # a new condition: a new ticket
    REPEAT = "repeat"  # the condition's ticket is open: count it there
    GROUP = "group"  # a new condition on a device with an open ticket: join that ticket
    REOPEN_FLAPPING = "reopen_flapping"  # it came back soon after resolving: reopen that ticket
    RETURN = "return"  # it came back on a ticket left open after it recovered: that ticket
    RECOVER = "recover"  # the condition recovered
    ACKNOWLEDGE = "acknowledge"  # the sender acknowledged it
    IGNORE = "ignore"  # nothing open to act on


def decide(
    status: AlertStatus,
    *,
    firing_ticket: bool,
    recently_resolved_ticket: bool,
    device_ticket: bool,
    recovered_ticket: bool = False,
) -> AlertAction:
    """The action for an alert, from what the store found (`recovered_ticket`: an open ticket
    holds the alert's condition, recovered)."""
    if status is AlertStatus.RESOLVED:
        return AlertAction.RECOVER if firing_ticket else AlertAction.IGNORE
    if status is AlertStatus.ACKNOWLEDGED:
        return AlertAction.ACKNOWLEDGE if firing_ticket else AlertAction.IGNORE
    found = (
        (firing_ticket, AlertAction.REPEAT),
        (recovered_ticket, AlertAction.RETURN),
        (recently_resolved_ticket, AlertAction.REOPEN_FLAPPING),
        (device_ticket, AlertAction.GROUP),
    )
    return next((action for hit, action in found if hit), AlertAction.OPEN)


def resolves_on_recovery(on_recovery: str, flap_count: int, flap_threshold: int) -> bool:
    """When a ticket's last alert recovers: resolve it, unless the client wants it flagged for a
    technician, or it is flapping (resolving would only start the next cycle)."""
    return on_recovery == "resolve" and flap_count < flap_threshold


@dataclass(frozen=True)
class Flap:
    """A condition back soon after it recovered (reopening its ticket), as the ticket counts it."""

    count: int  # the ticket's flaps, this one included
    times: tuple[datetime, ...]  # those within the flap window, this one included
    flapping: bool  # `count` reached the threshold
    page: bool  # a reopen pages; once flapping, only once per flap window
    summary: str  # for the timeline and the page

    def values(self, now: datetime) -> dict[str, Any]:
        """The ticket's columns this flap sets."""
        paged = {"flap_paged_at": now} if self.flapping and self.page else {}
        return {
            "flap_count": self.count,
            "flap_times": [t.isoformat() for t in self.times],
            **paged,
        }


def count_flap(
    ticket: tuple[int, Sequence[str], datetime | None],
    now: datetime,
    window: timedelta,
    threshold: int,
    *,
    owned: bool = False,
) -> Flap:
    """One more flap of a ticket (its flap count, flap times and last flapping page). `owned`:
    someone acknowledged the open ticket it came back on, so a flapping return pages nobody."""
    count, times, paged_at = ticket
    since = now - window
    recent = (*(t for t in map(datetime.fromisoformat, times) if t >= since), now)
    flaps = count + 1
    flapping = flaps >= threshold
    if not flapping:
        summary = f"the condition returned within the flap window, {flaps} time(s)"
    else:
        summary = f"flapping: reopened {_count(len(recent), 'time')} in the last {_words(window)}"
    page = not flapping or (not owned and (paged_at is None or paged_at <= since))
    return Flap(flaps, recent, flapping, page, summary)


def returns_as_flap(
    flap_count: int, recovered_at: datetime | None, now: datetime, window: timedelta, threshold: int
) -> bool:
    """Whether a condition back on an open ticket that recovered is another flap: the ticket is
    flapping (so recovery left it open) and it recovered within the window."""
    return flap_count >= threshold and recovered_at is not None and recovered_at >= now - window


def _words(window: timedelta) -> str:
    seconds = int(window.total_seconds())
    return _count(seconds // 60, "minute") if seconds % 60 == 0 else _count(seconds, "second")


def _count(number: int, unit: str) -> str:
    return f"{number} {unit}" + ("s" if number != 1 else "")


def raised_priority(current: Priority, incoming: Priority) -> Priority | None:
    """The priority a ticket takes when an alert of `incoming` priority joins or repeats on it:
    `incoming` when it is higher (P1 is the highest), else None. Alerts never lower a ticket."""
    return incoming if _rank(incoming) < _rank(current) else None


def _rank(priority: Priority) -> int:
    return list(Priority).index(priority)
