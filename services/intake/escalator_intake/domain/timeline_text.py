"""One line of plain language per event, for a ticket's timeline."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from escalator_shared.events import (
    EscalationRequested,
    EscalationStepReached,
    EscalationStopped,
    Event,
    NotificationDelivered,
    NotificationFailed,
    NotificationRequested,
    RespondersPaged,
    SlaBreached,
    SlaBreachReminded,
    SlaClockPaused,
    SlaClockResumed,
    SlaClockRetargeted,
    SlaClockStarted,
    SlaClockStopped,
    SlaWarningReached,
    TicketAcknowledged,
    TicketNoteAdded,
    TicketOpened,
    TicketPriorityChanged,
    TicketReopened,
    TicketResolved,
    TicketRouted,
    TicketStatusChanged,
    TicketUpdated,
    VendorCallRequested,
    VendorCaseAcknowledged,
    VendorCaseDataRequested,
    VendorCaseFailed,
    VendorCaseOpened,
    VendorCaseRequested,
    VendorCaseResolved,
    VendorCaseUpdated,
    VendorReplyReceived,
)


def _routed(e: TicketRouted) -> str:
    who = f", assigned to {e.assignee}" if e.assignee else ""
    team = f" ({e.team})" if e.team else ""
    drill = f"; drill: vendor {e.vendor} would get a case" if e.drill and e.vendor else ""
    return f"Routed to {e.tier}{team}{who} by rule {e.rule}; priority {e.priority}{drill}"


def _note(note: TicketNoteAdded) -> str:
    customer, _, address = note.by.partition(":")
    if customer == "customer" and address:
        return f"Customer replied ({address}): {note.text[:200]}"
    kind = "Customer update" if note.customer_visible else "Internal note"
    return f"{kind} by {note.by}: {note.text[:200]}"


_DESCRIBE: dict[type[Event], Callable[[Any], str]] = {
    TicketOpened: lambda e: f"Opened from {e.integration} at priority {e.priority}: {e.title}",
    TicketUpdated: lambda e: f"Updated ({e.reason}): {', '.join(sorted(e.changes))}",
    TicketAcknowledged: lambda e: f"Acknowledged by {e.by}",
    TicketResolved: lambda e: f"Resolved by {e.by}" + (f": {e.resolution}" if e.resolution else ""),
    TicketReopened: lambda e: f"Reopened by {e.by}" + (f": {e.reason}" if e.reason else ""),
    TicketStatusChanged: lambda e: (
        f"Status {e.previous_status} → {e.status}"
        + (f" ({e.hold_reason})" if e.hold_reason else "")
        + f" by {e.by}"
    ),
    TicketNoteAdded: _note,
    TicketPriorityChanged: lambda e: (
        f"Priority {e.previous_priority} → {e.priority} "
        + (f"(impact {e.impact}, urgency {e.urgency})" if e.impact else f"({e.reason})")
        + f" by {e.by}"
    ),
    TicketRouted: _routed,
    EscalationRequested: lambda e: (
        f"Escalation requested by {e.requested_by} ({e.reason})"
        + (f": {e.note[:300]}" if e.note else "")
    ),
    EscalationStepReached: lambda e: (
        f"Escalation step {e.step + 1} ({e.step_name})"
        + (f", round {e.round + 1}" if e.round else "")
        + f": paged {', '.join(e.people) or 'nobody'} ({e.reason.replace('_', ' ')})"
    ),
    RespondersPaged: lambda e: (
        f"Paged {', '.join(e.people) or 'nobody'} ({e.reason.replace('_', ' ')}"
        + (f": {e.detail}" if e.detail else "")
        + ")"
    ),
    EscalationStopped: lambda e: (
        f"Escalation stopped at step {e.step + 1}: {e.outcome}" + (f" by {e.by}" if e.by else "")
    ),
    SlaClockStarted: lambda e: (
        f"{e.metric} clock started ({e.policy}), due {e.due_at:%Y-%m-%d %H:%M:%S} UTC"
    ),
    SlaClockRetargeted: lambda e: (
        f"{e.metric} clock retargeted to {e.target_seconds}s ({e.reason}), "
        f"due {e.due_at:%Y-%m-%d %H:%M:%S} UTC"
    ),
    SlaClockStopped: lambda e: f"{e.metric} clock {e.outcome} after {e.elapsed_seconds}s",
    SlaClockPaused: lambda e: (
        f"{e.metric} clock paused ({e.reason}), {e.remaining_seconds}s of business time left"
    ),
    SlaClockResumed: lambda e: f"{e.metric} clock resumed, due {e.due_at:%Y-%m-%d %H:%M:%S} UTC",
    SlaBreachReminded: lambda e: (
        f"{e.metric} SLA still breached (reminder {e.reminder}, {e.overdue_seconds}s overdue)"
    ),
    SlaWarningReached: lambda e: f"{e.metric} clock at {e.percent}% of its target",
    SlaBreached: lambda e: f"{e.metric} SLA breached ({e.policy}, target {e.target_seconds}s)",
    VendorCaseRequested: lambda e: f"Vendor case requested with {e.vendor}: {e.reason}",
    VendorCaseOpened: lambda e: (
        f"Vendor case {e.case_reference} opened with {e.vendor} by {e.channel}"
    ),
    VendorCaseAcknowledged: lambda e: f"{e.vendor} acknowledged case {e.case_reference}",
    VendorCaseResolved: lambda e: f"{e.vendor} resolved case {e.case_reference}",
    VendorCaseDataRequested: lambda e: (
        f"{e.vendor} case waits for {', '.join(e.labels)}"
        + (f" (asked {e.asked})" if e.asked else "")
    ),
    VendorCallRequested: lambda e: (
        f"Open the {e.vendor} case by "
        + (f"phone on {e.number}" if e.number else f"portal at {e.portal_url}")
        + ("" if e.open_now else f" (closed now; hours {e.hours})")
    ),
    VendorCaseFailed: lambda e: (
        f"Opening the {e.vendor} case by {e.channel} failed after {e.attempts} attempts: {e.error}"
    ),
    VendorCaseUpdated: lambda e: f"{e.vendor} case {e.case_reference}: {e.status}",
    VendorReplyReceived: lambda e: f"{e.vendor} replied by email from {e.sender}",
    NotificationRequested: lambda e: f"Notification requested for {e.recipient} by {e.channel}",
    NotificationDelivered: lambda e: f"Notified {e.recipient} by {e.channel} at {e.address}",
    NotificationFailed: lambda e: f"Notifying {e.recipient} by {e.channel} failed: {e.error}",
}


def describe(event: Event) -> str:
    """The timeline line for an event."""
    describer = _DESCRIBE.get(type(event))
    return describer(event) if describer else event.event_type


TIMELINE_EVENTS: tuple[type[Event], ...] = tuple(_DESCRIBE)
