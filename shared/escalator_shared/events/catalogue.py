"""The event catalogue: every payload that crosses between services.

Events are named in the past tense; each declares the stream (a `Topics` attribute) it travels on.
No service defines a payload of its own.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, ClassVar

from pydantic import Field

from escalator_shared.events.access_events import ApiTokenChanged, StaffActionRecorded
from escalator_shared.events.envelope import Event
from escalator_shared.events.sla_events import (
    SlaBreached,
    SlaBreachReminded,
    SlaClockPaused,
    SlaClockResumed,
    SlaClockRetargeted,
    SlaClockStarted,
    SlaClockStopped,
    SlaWarningReached,
)
from escalator_shared.events.values import (
    AlertStatus,
    EscalationReason,
    Priority,
    Severity,
    TicketType,
)
from escalator_shared.events.vendor_events import (
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


class AlertReceived(Event):
    """Intake accepted one canonical alert from a sender; not yet a ticket."""

    event_type: ClassVar[str] = "AlertReceived"
    stream: ClassVar[str] = "alerts"

    alert_id: str = Field(
        description="Id intake gave the alert; the new ticket's id if it opens one."
    )
    integration: str = Field(description="Configured integration the sender posted to.")
    source: str = Field(description="Kind of sender, e.g. generic, alertmanager.")
    external_id: str | None = Field(default=None, description="The sender's own id of the alert.")
    dedup_key: str = Field(description="Alerts with one key belong to one open ticket.")
    status: AlertStatus = Field(description="Firing, resolved or acknowledged.")
    severity: Severity = Field(description="Normalised severity.")
    title: str = Field(description="One-line summary.")
    description: str = Field(default="", description="Longer text.")
    device: str | None = Field(default=None, description="Host or device the alert is about.")
    error_codes: list[str] = Field(default_factory=list, description="Error codes it carries.")
    labels: dict[str, str] = Field(default_factory=dict, description="Sender's labels, kept as is.")
    links: list[str] = Field(default_factory=list, description="URLs the sender attached.")
    details: dict[str, Any] = Field(default_factory=dict, description="Unmapped sender fields.")
    occurred_at: datetime = Field(description="When the sender says the condition began.")
    requester: str | None = Field(
        default=None, description="Email address of the person who asked (email requests)."
    )
    drill: bool = Field(
        default=False, description="A rehearsal: never reaches customers or vendors."
    )


class EmailReceived(Event):
    """Intake stored one inbound email (raw, in its database); not yet read."""

    event_type: ClassVar[str] = "EmailReceived"
    stream: ClassVar[str] = "alerts"

    email_id: str = Field(description="Id of the stored message in intake's inbound mail.")
    channel: str = Field(description="smtp or imap.")
    size: int = Field(description="Size of the raw message in bytes.")


class TicketOpened(Event):
    """A new ticket exists."""

    event_type: ClassVar[str] = "TicketOpened"
    stream: ClassVar[str] = "tickets"

    title: str = Field(description="One-line summary.")
    description: str = Field(default="", description="Longer text.")
    source: str = Field(description="Kind of sender.")
    integration: str = Field(description="Integration the first alert came through.")
    dedup_key: str = Field(description="Deduplication key of the ticket's alerts.")
    severity: Severity = Field(description="Normalised severity of the first alert.")
    priority: Priority = Field(description="Priority the ticket opened with.")
    device: str | None = Field(default=None, description="Host or device.")
    error_codes: list[str] = Field(default_factory=list, description="Error codes it carries.")
    labels: dict[str, str] = Field(default_factory=dict, description="Sender's labels.")
    opened_at: datetime = Field(description="When the ticket was opened.")
    reference: str | None = Field(
        default=None, description="Human-friendly ticket number for subjects, e.g. TKT-1042."
    )
    requester: str | None = Field(
        default=None, description="Email address of the person who asked (email requests)."
    )
    requester_message_id: str | None = Field(
        default=None, description="Message-ID of the requester's email, to thread replies on."
    )
    drill: bool = Field(
        default=False, description="A rehearsal: staff are paged, customers and vendors never."
    )
    ticket_type: TicketType = Field(
        default="incident", description="incident (an alert) or request (a customer's email)."
    )
    reported_at: datetime | None = Field(
        default=None, description="When the condition began or the client reported it."
    )


class TicketUpdated(Event):
    """Fields of an open ticket changed (a repeat alert, a new priority, a note)."""

    event_type: ClassVar[str] = "TicketUpdated"
    stream: ClassVar[str] = "tickets"

    changes: dict[str, Any] = Field(description="Field name to its new value.")
    reason: str = Field(description="Why, in a few words.")


class TicketAcknowledged(Event):
    """Someone took the ticket; escalation for lack of acknowledgement stops."""

    event_type: ClassVar[str] = "TicketAcknowledged"
    stream: ClassVar[str] = "tickets"

    by: str = Field(description="Person id, or the integration that relayed the ack.")
    acknowledged_at: datetime = Field(description="When.")


class TicketResolved(Event):
    """The ticket's problem is fixed; its clocks and escalations end."""

    event_type: ClassVar[str] = "TicketResolved"
    stream: ClassVar[str] = "tickets"

    by: str = Field(description="Person id, or the integration whose recovery resolved it.")
    resolved_at: datetime = Field(description="When.")
    resolution: str = Field(default="", description="What fixed it.")


class TicketReopened(Event):
    """A resolved ticket is open again; its chain and clocks restart per policy."""

    event_type: ClassVar[str] = "TicketReopened"
    stream: ClassVar[str] = "tickets"

    by: str = Field(description="Person id, or 'customer' for a reply after resolve.")
    reason: str = Field(default="", description="Why.")
    reopened_at: datetime = Field(description="When.")
    flapping: bool = Field(
        default=False, description="The condition keeps coming back (the storm policy's flapping)."
    )
    page: bool = Field(
        default=True,
        description="False: flapping, and paged within its flap window; restart without paging.",
    )


class TicketStatusChanged(Event):
    """The ticket moved to another state; on_hold carries why (awaiting customer/vendor/change)."""

    event_type: ClassVar[str] = "TicketStatusChanged"
    stream: ClassVar[str] = "tickets"

    status: str = Field(description="new, in_progress, on_hold, resolved, closed, cancelled.")
    previous_status: str = Field(description="The state it left.")
    hold_reason: str | None = Field(
        default=None, description="awaiting_customer, awaiting_vendor or awaiting_change."
    )
    by: str = Field(description="Person id.")
    changed_at: datetime = Field(description="When.")


class TicketNoteAdded(Event):
    """Someone wrote on the ticket: an internal note, or an update the customer sees."""

    event_type: ClassVar[str] = "TicketNoteAdded"
    stream: ClassVar[str] = "tickets"

    note_id: str = Field(description="Id of the note.")
    by: str = Field(description="Person id.")
    text: str = Field(description="The note.")
    customer_visible: bool = Field(description="Whether the client's contacts see it.")


class TicketPriorityChanged(Event):
    """The priority changed: a person set impact and urgency, or an alert of higher severity
    joined or repeated (clocks recalculate, the router routes the ticket again)."""

    event_type: ClassVar[str] = "TicketPriorityChanged"
    stream: ClassVar[str] = "tickets"

    impact: str | None = Field(
        default=None, description="high, medium or low; None when an alert raised it."
    )
    urgency: str | None = Field(
        default=None, description="high, medium or low; None when an alert raised it."
    )
    priority: Priority = Field(description="The new priority.")
    previous_priority: Priority = Field(description="The priority before.")
    by: str = Field(description="Person id, or the integration whose alert raised it.")
    severity: Severity | None = Field(
        default=None, description="Severity of the alert that raised it, if one did."
    )
    reason: str = Field(default="", description="Why, in a few words, when an alert raised it.")


class TicketRouted(Event):
    """The router decided tier, team and assignee."""

    event_type: ClassVar[str] = "TicketRouted"
    stream: ClassVar[str] = "routing"

    title: str = Field(description="The ticket's title, so receivers need not look it up.")
    tier: str = Field(description="Tier that handles the ticket, e.g. L1.")
    team: str | None = Field(default=None, description="Team within the tier.")
    assignee: str | None = Field(default=None, description="Person id who has it now.")
    backup: str | None = Field(default=None, description="Person id backing the assignee up.")
    priority: Priority = Field(description="Priority after routing rules.")
    rule: str = Field(description="Name of the rule that matched.")
    priority_reason: str = Field(default="", description="How the priority was set.")
    schedule: str | None = Field(default=None, description="On-call schedule the assignee is from.")
    escalation_policy: str | None = Field(
        default=None, description="Escalation policy snapshotted for the ticket."
    )
    vendor: str | None = Field(default=None, description="Vendor the rule engages, if any.")
    drill: bool = Field(default=False, description="A drill: the vendor is named, not engaged.")


class EscalationStepReached(Event):
    """The ticket's escalation chain reached a step (or paged it again): page these people."""

    event_type: ClassVar[str] = "EscalationStepReached"
    stream: ClassVar[str] = "routing"

    title: str = Field(description="The ticket's title.")
    priority: Priority = Field(description="The ticket's priority (it picks the channels).")
    policy: str = Field(description="Escalation policy id.")
    step: int = Field(description="Step index, from 0.")
    round: int = Field(description="Pass through the steps, from 0 (repeats count up).")
    step_name: str = Field(description="The step's name.")
    reason: str = Field(description="routed, reopened, or the escalation reason.")
    detail: str = Field(
        default="", description="More on why, e.g. 'flapping: reopened 3 times in the last …'."
    )
    people: list[str] = Field(description="Person ids paged at this step.")
    via: list[str] = Field(description="For each person, the target that named them.")
    next_escalation_at: datetime | None = Field(
        default=None, description="When the next step pages if nobody acknowledges."
    )


class RespondersPaged(Event):
    """People paged outside the chain's steps (a manager for an unhappy customer, executives)."""

    event_type: ClassVar[str] = "RespondersPaged"
    stream: ClassVar[str] = "routing"

    title: str = Field(description="The ticket's title.")
    priority: Priority = Field(description="The ticket's priority.")
    reason: str = Field(description="Why, e.g. customer_dissatisfied or major_outage.")
    detail: str = Field(default="", description="More on why, e.g. '3 clients hit on m365'.")
    people: list[str] = Field(description="Person ids paged.")
    via: list[str] = Field(description="For each person, the target that named them.")


class EscalationStopped(Event):
    """The ticket's chain stopped moving: acknowledged, resolved, or every step exhausted."""

    event_type: ClassVar[str] = "EscalationStopped"
    stream: ClassVar[str] = "routing"

    outcome: str = Field(description="acknowledged, resolved or exhausted.")
    step: int = Field(description="Step the chain stood at.")
    round: int = Field(description="Round the chain stood at.")
    by: str | None = Field(default=None, description="Who acknowledged or resolved.")


class EscalationRequested(Event):
    """Something asks the router to move the ticket up its chain."""

    event_type: ClassVar[str] = "EscalationRequested"
    stream: ClassVar[str] = "routing"

    reason: EscalationReason = Field(description="Why.")
    requested_by: str = Field(description="Service or person asking.")
    note: str = Field(default="", description="Free text for the timeline.")


# A NotificationRequested recipient meaning whoever has the ticket when the notifier sends.
ASSIGNEE_RECIPIENT = "assignee"


class NotificationRequested(Event):
    """Someone should be told something on a channel."""

    event_type: ClassVar[str] = "NotificationRequested"
    stream: ClassVar[str] = "notifications"

    recipient: str = Field(
        description="Person id, address, or 'assignee' (whoever has the ticket when it is sent)."
    )
    channel: str = Field(description="email, slack, teams, sms, webhook.")
    subject: str = Field(description="Short text.")
    body: str = Field(default="", description="Message text.")


class NotificationDelivered(Event):
    """A notification reached the channel's provider."""

    event_type: ClassVar[str] = "NotificationDelivered"
    # 2: message_id (version 1 events, without it, still read: it defaults to None).
    schema_version: ClassVar[int] = 2
    stream: ClassVar[str] = "notifications"

    notification_id: str = Field(description="Id of the delivery.")
    trigger_event_id: str = Field(description="Event the notification was about.")
    recipient: str = Field(description="Person id.")
    address: str = Field(description="Where it went (email address, phone, URL).")
    channel: str = Field(description="Channel used.")
    latency_ms: float = Field(description="From the trigger event to delivery.")
    message_id: str | None = Field(
        default=None,
        description="The Message-ID of an email, bare (no angle brackets): replies name it in "
        "In-Reply-To. None for other channels.",
    )


class NotificationFailed(Event):
    """A notification could not be delivered."""

    event_type: ClassVar[str] = "NotificationFailed"
    stream: ClassVar[str] = "notifications"

    notification_id: str = Field(description="Id of the delivery.")
    trigger_event_id: str = Field(description="Event the notification was about.")
    recipient: str = Field(description="Person id.")
    channel: str = Field(description="Channel tried.")
    error: str = Field(description="What went wrong.")
    permanent: bool = Field(description="Whether retrying could help.")


CATALOGUE: tuple[type[Event], ...] = (
    AlertReceived,
    EmailReceived,
    TicketOpened,
    TicketUpdated,
    TicketAcknowledged,
    TicketResolved,
    TicketReopened,
    TicketStatusChanged,
    TicketNoteAdded,
    TicketPriorityChanged,
    TicketRouted,
    EscalationRequested,
    EscalationStepReached,
    RespondersPaged,
    EscalationStopped,
    SlaClockStarted,
    SlaClockRetargeted,
    SlaClockPaused,
    SlaClockResumed,
    SlaClockStopped,
    SlaWarningReached,
    SlaBreached,
    SlaBreachReminded,
    VendorCaseRequested,
    VendorCaseOpened,
    VendorCaseAcknowledged,
    VendorCaseResolved,
    VendorCaseDataRequested,
    VendorCallRequested,
    VendorCaseFailed,
    VendorCaseUpdated,
    VendorReplyReceived,
    NotificationRequested,
    NotificationDelivered,
    NotificationFailed,
    ApiTokenChanged,
    StaffActionRecorded,
)

EVENT_TYPES: dict[str, type[Event]] = {cls.event_type: cls for cls in CATALOGUE}
