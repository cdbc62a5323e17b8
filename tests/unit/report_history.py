"""Event histories of tickets for report tests: real catalogue events, in their topics' order."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from escalator_shared.events import (
    Envelope,
    EscalationStepReached,
    Event,
    Priority,
    RespondersPaged,
    Severity,
    SlaBreached,
    SlaClockStarted,
    SlaClockStopped,
    TicketAcknowledged,
    TicketNoteAdded,
    TicketOpened,
    TicketReopened,
    TicketResolved,
    TicketRouted,
    TicketStatusChanged,
    VendorCaseAcknowledged,
    VendorCaseOpened,
    VendorCaseResolved,
)
from escalator_sla_timer.reporting.event_folds import fold
from escalator_sla_timer.reporting.ticket_record import TicketRecord


@dataclass
class History:
    """One ticket's events as its topics hold them: (topic, envelope, event)."""

    ticket_id: str
    client_id: str
    events: list[tuple[str, Envelope, Event]] = field(default_factory=list)

    def add(self, topic: str, at: datetime, event: Event) -> History:
        """The event, said at `at`."""
        envelope = Envelope.wrap(
            event, ticket_id=self.ticket_id, client_id=self.client_id, producer="test"
        ).model_copy(update={"occurred_at": at})
        self.events.append((topic, envelope, event))
        return self

    def opened(self, at: datetime, priority: str, *, drill: bool = False) -> History:
        """TicketOpened."""
        event = TicketOpened(
            title=f"ticket {self.ticket_id}",
            source="generic",
            integration="test",
            dedup_key=self.ticket_id,
            severity=Severity.MAJOR,
            priority=Priority(priority),
            opened_at=at,
            drill=drill,
        )
        return self.add("tickets", at, event)

    def routed(self, at: datetime, tier: str, priority: str, team: str | None = None) -> History:
        """TicketRouted."""
        event = TicketRouted(
            title="t", tier=tier, team=team, priority=Priority(priority), rule="test"
        )
        return self.add("routing", at, event)

    def step(self, at: datetime, step: int, reason: str = "unacknowledged") -> History:
        """EscalationStepReached (round 0)."""
        event = EscalationStepReached(
            title="t",
            priority=Priority.P2,
            policy="standard",
            step=step,
            round=0,
            step_name=f"step {step}",
            reason="routed" if step == 0 else reason,
            people=["alice"],
            via=["user:alice"],
        )
        return self.add("routing", at, event)

    def paged(self, at: datetime, reason: str) -> History:
        """RespondersPaged."""
        event = RespondersPaged(
            title="t", priority=Priority.P1, reason=reason, people=["carol"], via=["user:carol"]
        )
        return self.add("routing", at, event)

    def acknowledged(self, at: datetime) -> History:
        """TicketAcknowledged."""
        return self.add("tickets", at, TicketAcknowledged(by="alice", acknowledged_at=at))

    def note(self, at: datetime, *, by: str = "alice", visible: bool = True) -> History:
        """TicketNoteAdded."""
        event = TicketNoteAdded(note_id=f"n-{at:%H%M}", by=by, text="x", customer_visible=visible)
        return self.add("tickets", at, event)

    def resolved(self, at: datetime) -> History:
        """TicketResolved."""
        return self.add("tickets", at, TicketResolved(by="alice", resolved_at=at))

    def reopened(self, at: datetime) -> History:
        """TicketReopened."""
        return self.add("tickets", at, TicketReopened(by="customer", reopened_at=at))

    def status(self, at: datetime, status: str, previous: str = "in_progress") -> History:
        """TicketStatusChanged."""
        event = TicketStatusChanged(
            status=status, previous_status=previous, by="alice", changed_at=at
        )
        return self.add("tickets", at, event)

    def clock(
        self,
        at: datetime,
        clock_id: str,
        metric: str,
        target: int,
        *,
        stopped: tuple[datetime, int] | None = None,
        breached: datetime | None = None,
        outcome: str = "fulfilled",
    ) -> History:
        """SlaClockStarted, then SlaBreached and SlaClockStopped (elapsed business seconds)."""
        started = SlaClockStarted(
            clock_id=clock_id,
            metric=metric,
            policy="standard",
            target_seconds=target,
            due_at=at,
            started_at=at,
        )
        self.add("sla", at, started)
        if breached is not None:
            self.add("sla", breached, _breach(clock_id, metric, target, breached))
        if stopped is not None:
            stop_at, elapsed = stopped
            event = SlaClockStopped(
                clock_id=clock_id,
                metric=metric,
                outcome=outcome,
                elapsed_seconds=elapsed,
                stopped_at=stop_at,
            )
            self.add("sla", stop_at, event)
        return self

    def vendor_case(
        self, opened: datetime, vendor: str, acknowledged: datetime, resolved: datetime
    ) -> History:
        """VendorCaseOpened, Acknowledged, Resolved."""
        reference = f"{vendor}-{self.ticket_id}"
        self.add(
            "vendor",
            opened,
            VendorCaseOpened(vendor=vendor, case_reference=reference, channel="email"),
        )
        self.add(
            "vendor",
            acknowledged,
            VendorCaseAcknowledged(
                vendor=vendor, case_reference=reference, acknowledged_at=acknowledged
            ),
        )
        return self.add(
            "vendor",
            resolved,
            VendorCaseResolved(vendor=vendor, case_reference=reference, resolved_at=resolved),
        )

    def record(self, order: list[tuple[str, Envelope, Event]] | None = None) -> TicketRecord:
        """The record folded from the events (in the order given, else as added)."""
        record: TicketRecord | None = None
        for _, envelope, event in order if order is not None else self.events:
            record = fold(record, event, envelope)
        assert record is not None
        return record


def _breach(clock_id: str, metric: str, target: int, at: datetime) -> Any:
    return SlaBreached(
        clock_id=clock_id,
        metric=metric,
        policy="standard",
        target_seconds=target,
        due_at=at,
        breached_at=at,
    )
