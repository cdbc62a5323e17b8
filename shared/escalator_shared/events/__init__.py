"""The event catalogue, its envelope and the topics events travel on."""

from __future__ import annotations

from escalator_shared.events.access_events import ApiTokenChanged, StaffActionRecorded
from escalator_shared.events.catalogue import (
    CATALOGUE,
    EVENT_TYPES,
    AlertReceived,
    EmailReceived,
    EscalationRequested,
    EscalationStepReached,
    EscalationStopped,
    NotificationDelivered,
    NotificationFailed,
    NotificationRequested,
    RespondersPaged,
    TicketAcknowledged,
    TicketNoteAdded,
    TicketOpened,
    TicketPriorityChanged,
    TicketReopened,
    TicketResolved,
    TicketRouted,
    TicketStatusChanged,
    TicketUpdated,
)
from escalator_shared.events.envelope import Envelope, Event, new_id, utc_now
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
from escalator_shared.events.topics import Topics
from escalator_shared.events.values import AlertStatus, EscalationReason, Priority, Severity
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


class UnknownEventTypeError(ValueError):
    """An envelope names an event type the catalogue does not have."""


def decode(envelope: Envelope) -> Event:
    """The typed payload of an envelope; raises on unknown types and invalid payloads."""
    cls = EVENT_TYPES.get(envelope.event_type)
    if cls is None:
        raise UnknownEventTypeError(f"unknown event type {envelope.event_type!r}")
    return cls.model_validate(envelope.payload)


__all__ = [
    "CATALOGUE",
    "EVENT_TYPES",
    "AlertReceived",
    "AlertStatus",
    "ApiTokenChanged",
    "EmailReceived",
    "Envelope",
    "EscalationReason",
    "EscalationRequested",
    "EscalationStepReached",
    "EscalationStopped",
    "Event",
    "NotificationDelivered",
    "NotificationFailed",
    "NotificationRequested",
    "Priority",
    "RespondersPaged",
    "Severity",
    "SlaBreachReminded",
    "SlaBreached",
    "SlaClockPaused",
    "SlaClockResumed",
    "SlaClockRetargeted",
    "SlaClockStarted",
    "SlaClockStopped",
    "SlaWarningReached",
    "StaffActionRecorded",
    "TicketAcknowledged",
    "TicketNoteAdded",
    "TicketOpened",
    "TicketPriorityChanged",
    "TicketReopened",
    "TicketResolved",
    "TicketRouted",
    "TicketStatusChanged",
    "TicketUpdated",
    "Topics",
    "UnknownEventTypeError",
    "VendorCallRequested",
    "VendorCaseAcknowledged",
    "VendorCaseDataRequested",
    "VendorCaseFailed",
    "VendorCaseOpened",
    "VendorCaseRequested",
    "VendorCaseResolved",
    "VendorCaseUpdated",
    "VendorReplyReceived",
    "decode",
    "new_id",
    "utc_now",
]
