"""Which event changes which fact of a ticket's record. Pure: an event and its envelope in, the
new record out; events reports do not need leave the record as it was.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from escalator_shared.events import (
    Envelope,
    EscalationStepReached,
    Event,
    RespondersPaged,
    SlaBreached,
    SlaClockRetargeted,
    SlaClockStarted,
    SlaClockStopped,
    TicketAcknowledged,
    TicketNoteAdded,
    TicketOpened,
    TicketPriorityChanged,
    TicketReopened,
    TicketResolved,
    TicketRouted,
    TicketStatusChanged,
    VendorCaseAcknowledged,
    VendorCaseOpened,
    VendorCaseResolved,
)
from escalator_sla_timer.reporting.ticket_record import ClockState, TicketRecord

Fold = Callable[[TicketRecord, Any, Envelope], TicketRecord]
ENDED_STATUSES = frozenset({"closed", "cancelled"})
CUSTOMER = "customer"


def _opened(record: TicketRecord, event: TicketOpened, _: Envelope) -> TicketRecord:
    return record.opened(event.opened_at, event.priority.value, event.drill, event.ticket_type)


def _acknowledged(record: TicketRecord, event: TicketAcknowledged, _: Envelope) -> TicketRecord:
    return record.acknowledged(event.acknowledged_at)


def _note(record: TicketRecord, event: TicketNoteAdded, envelope: Envelope) -> TicketRecord:
    if not event.customer_visible or event.by == CUSTOMER:
        return record
    return record.answered_customer(envelope.occurred_at)


def _resolved(record: TicketRecord, event: TicketResolved, _: Envelope) -> TicketRecord:
    return record.resolved(event.resolved_at)


def _reopened(record: TicketRecord, event: TicketReopened, _: Envelope) -> TicketRecord:
    return record.reopened(event.reopened_at)


def _status(record: TicketRecord, event: TicketStatusChanged, _: Envelope) -> TicketRecord:
    """Closing or cancelling a ticket that was never resolved ends its open spell too."""
    if event.status in ENDED_STATUSES and record.open_at(event.changed_at):
        return record.resolved(event.changed_at)
    return record


def _priority(record: TicketRecord, event: TicketPriorityChanged, _: Envelope) -> TicketRecord:
    return record.reprioritised(event.priority.value)


def _routed(record: TicketRecord, event: TicketRouted, envelope: Envelope) -> TicketRecord:
    return record.routed(event.tier, envelope.occurred_at, event.priority.value, event.team)


def _step(record: TicketRecord, event: EscalationStepReached, envelope: Envelope) -> TicketRecord:
    return record.escalated(event.step, event.round, event.reason, envelope.occurred_at)


def _paged(record: TicketRecord, event: RespondersPaged, _: Envelope) -> TicketRecord:
    return record.responders_paged(event.reason)


def _clock_started(record: TicketRecord, event: SlaClockStarted, _: Envelope) -> TicketRecord:
    return record.clock_started(event.clock_id, event.metric, event.target_seconds)


def _retargeted(record: TicketRecord, event: SlaClockRetargeted, _: Envelope) -> TicketRecord:
    return record.clock_retargeted(event.clock_id, event.metric, event.target_seconds)


def _clock_stopped(record: TicketRecord, event: SlaClockStopped, _: Envelope) -> TicketRecord:
    outcome: ClockState = "fulfilled" if event.outcome == "fulfilled" else "cancelled"
    return record.clock_stopped(event.clock_id, event.metric, outcome, event.elapsed_seconds)


def _breached(record: TicketRecord, event: SlaBreached, _: Envelope) -> TicketRecord:
    return record.clock_breached(event.clock_id, event.metric, event.target_seconds)


def _case_opened(record: TicketRecord, event: VendorCaseOpened, envelope: Envelope) -> TicketRecord:
    return record.vendor_case(event.case_reference, event.vendor, opened_at=envelope.occurred_at)


def _case_acknowledged(
    record: TicketRecord, event: VendorCaseAcknowledged, _: Envelope
) -> TicketRecord:
    return record.vendor_case(
        event.case_reference, event.vendor, acknowledged_at=event.acknowledged_at
    )


def _case_resolved(record: TicketRecord, event: VendorCaseResolved, _: Envelope) -> TicketRecord:
    return record.vendor_case(event.case_reference, event.vendor, resolved_at=event.resolved_at)


FOLDS: dict[type[Event], Fold] = {
    TicketOpened: _opened,
    TicketAcknowledged: _acknowledged,
    TicketNoteAdded: _note,
    TicketResolved: _resolved,
    TicketReopened: _reopened,
    TicketStatusChanged: _status,
    TicketPriorityChanged: _priority,
    TicketRouted: _routed,
    EscalationStepReached: _step,
    RespondersPaged: _paged,
    SlaClockStarted: _clock_started,
    SlaClockRetargeted: _retargeted,
    SlaClockStopped: _clock_stopped,
    SlaBreached: _breached,
    VendorCaseOpened: _case_opened,
    VendorCaseAcknowledged: _case_acknowledged,
    VendorCaseResolved: _case_resolved,
}


def fold(record: TicketRecord | None, event: Event, envelope: Envelope) -> TicketRecord:
    """The record after the event (a new record for a ticket not seen before)."""
    current = record or TicketRecord(envelope.ticket_id, envelope.client_id)
    apply = FOLDS.get(type(event))
    return current if apply is None else apply(current, event, envelope)
