"""A wanted case's next step as stored columns and the events it causes (no I/O).

`CaseLifecycle` applies a step to an existing row, or inserts a new case with it in one
statement (the common path: a request for a ticket the gateway already knows).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from escalator_shared.config import EscalatorConfig, Vendor
from escalator_shared.events import (
    Event,
    NotificationRequested,
    VendorCallRequested,
    VendorCaseDataRequested,
    VendorCaseFailed,
)
from escalator_shared.events.catalogue import ASSIGNEE_RECIPIENT
from escalator_vendor_gateway.domain.case_data import CaseData
from escalator_vendor_gateway.domain.case_message import case_context, technician_notice
from escalator_vendor_gateway.domain.case_plan import CaseStatus, prepare
from escalator_vendor_gateway.domain.hotline import hours_text, is_open
from escalator_vendor_gateway.domain.ticket_snapshot import TicketSnapshot

AUTOMATIC = "vendor-gateway"  # requested_by of cases the gateway engages on its own


@dataclass(frozen=True)
class Step:
    """Columns to store, events to emit, and whether the case is ready to send."""

    status: CaseStatus
    values: dict[str, Any]
    events: list[Event] = field(default_factory=list)

    @property
    def ready(self) -> bool:
        """Whether the opener has a case to send."""
        return self.status is CaseStatus.PENDING


def next_step(config: EscalatorConfig, case: Any, ticket: TicketSnapshot, now: datetime) -> Step:
    """The step of a wanted case (`case` has vendor, client_id, supplied, requested_by and
    case_key, as a row of vendor_cases does)."""
    try:
        vendor = config.vendor(case.vendor)
    except KeyError:
        error = f"no vendor {case.vendor!r} in the directory"
        failed = VendorCaseFailed(vendor=case.vendor, channel="none", error=error, attempts=0)
        stored = {"status": CaseStatus.FAILED.value, "last_error": error, "updated_at": now}
        return Step(CaseStatus.FAILED, stored, [failed])
    client = config.client(case.client_id)
    preparation = prepare(
        vendor,
        ticket,
        client,
        case.supplied,
        wait_for_tiers=case.requested_by == AUTOMATIC,
        now=now,
    )
    values: dict[str, Any] = {
        "status": preparation.status.value,
        "content": case_context(case.case_key, vendor, ticket, client, preparation.data),
        "missing": [f.name for f in preparation.data.missing],
        "blockers": list(preparation.blockers),
        "eligible_at": preparation.eligible_at,
        "channel": vendor.opening_channel,
        "updated_at": now,
    }
    if preparation.status is CaseStatus.PENDING:
        values.update(next_attempt_at=now, ready_at=now, unsure=False, last_error=None)
    asks = _asks(preparation.status, vendor, preparation.data, ticket, now)
    if asks:
        asks.append(_notice(values["content"], asks[0]))
    return Step(preparation.status, values, asks)


def _notice(content: dict[str, Any], ask: Event) -> NotificationRequested:
    """The assignee's email about what the case needs from them."""
    if isinstance(ask, VendorCaseDataRequested):
        words = technician_notice(
            content,
            "data needed",
            f"The vendor requires {', '.join(ask.labels)}. Supply them on the case "
            f"(POST /v1/vendor-cases/{content['ticket_id']}/{ask.vendor}/data); it is sent then.",
        )
    else:
        assert isinstance(ask, VendorCallRequested)
        lines = [f"{label}: {value}" for label, value in ask.data.items()]
        where = f"Call {ask.number}" if ask.number else f"Open it at {ask.portal_url}"
        hours = "" if ask.open_now else f" (closed now; hours {ask.hours})"
        words = technician_notice(
            content,
            "open it by phone",
            f"{where}{hours}. {ask.script}\n\n" + "\n".join(lines) + "\n\nRecord their case "
            f"number: POST /v1/vendor-cases/{content['ticket_id']}/{ask.vendor}/opened",
        )
    # The notifier knows who has the ticket by the time it sends (routing may come later).
    return NotificationRequested(
        recipient=ASSIGNEE_RECIPIENT, channel="email", subject=words.subject, body=words.body
    )


def _asks(
    status: CaseStatus, vendor: Vendor, data: CaseData, ticket: TicketSnapshot, now: datetime
) -> list[Event]:
    if status is CaseStatus.NEEDS_DATA:
        return [
            VendorCaseDataRequested(
                vendor=vendor.id,
                fields=[f.name for f in data.missing],
                labels=[f.title for f in data.missing],
                asked=ticket.assignee,
            )
        ]
    if status is CaseStatus.CALL_NEEDED:
        hotline = vendor.hotline
        labels = {f.name: f.title for f in vendor.requires}
        return [
            VendorCallRequested(
                vendor=vendor.id,
                number=hotline.number if hotline else None,
                portal_url=vendor.portal_url,
                open_now=is_open(hotline, now) if hotline else True,
                hours=hours_text(hotline) if hotline else "",
                script=hotline.script if hotline else "",
                data={labels.get(k, k): v for k, v in data.values.items()},
                asked=ticket.assignee,
            )
        ]
    return []
