"""What happens to a case once the vendor has it: the vendor's own case number from its emailed
reply, its answers and progress (reply, webhook or a status poll), and chasing it up the vendor's
escalation ladder when it stays unresolved.

Each step changes the case in the caller's unit of work and puts what it means on the ticket's
timeline (VendorCaseUpdated, VendorCaseAcknowledged, VendorCaseResolved).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Row

from escalator_shared.config import EscalatorConfig
from escalator_shared.db.unit_of_work import UnitOfWork
from escalator_shared.events import (
    Envelope,
    NotificationRequested,
    VendorCaseUpdated,
    VendorReplyReceived,
    utc_now,
)
from escalator_shared.events.catalogue import ASSIGNEE_RECIPIENT
from escalator_vendor_gateway import case_store
from escalator_vendor_gateway.case_lifecycle import CaseLifecycle
from escalator_vendor_gateway.domain.case_message import readable_span, technician_notice
from escalator_vendor_gateway.domain.case_plan import AT_VENDOR, CaseStatus
from escalator_vendor_gateway.domain.reply_reading import case_number_in
from escalator_vendor_gateway.gateway_metrics import GatewayMetrics

_STATUS_TEXT = 200


@dataclass(frozen=True)
class CaseTracking:
    """Vendor-side changes of open cases, each with its events."""

    config: EscalatorConfig
    lifecycle: CaseLifecycle
    metrics: GatewayMetrics

    async def replied(
        self, uow: UnitOfWork, row: Row[Any], reply: VendorReplyReceived, cause: Envelope
    ) -> None:
        """The vendor's email: its case number where we lack one; its first reply is its
        response."""
        if CaseStatus(row.status) not in AT_VENDOR:
            return
        if not has_vendor_number(row):
            vendor = self.config.vendor(row.vendor)
            content = row.content or {}
            ours = [row.case_key, row.ticket_id, str(content.get("reference") or "")]
            number = case_number_in(
                [reply.subject, reply.excerpt], ours, vendor.case_number_pattern
            )
            if number is not None:
                row = await self.numbered(uow, row, number, cause)
        await self.lifecycle.vendor_answered(
            uow, row, CaseStatus.ACKNOWLEDGED, reply.received_at, cause
        )

    async def numbered(
        self, uow: UnitOfWork, row: Row[Any], number: str, cause: Envelope | None
    ) -> Row[Any]:
        """The vendor told us its number for our case: the case goes by it from now on."""
        await case_store.change(uow.session, row, case_reference=number, updated_at=utc_now())
        await _emit(
            uow,
            row,
            VendorCaseUpdated(
                vendor=row.vendor,
                case_reference=number,
                status="numbered by the vendor",
                note=f"our case key {row.case_key}",
            ),
            cause,
        )
        fresh = await case_store.case_of(uow.session, row.ticket_id, row.vendor, lock=True)
        assert fresh is not None  # locked by the caller
        return fresh

    async def reported(
        self,
        uow: UnitOfWork,
        row: Row[Any],
        meaning: CaseStatus | None,
        text: str,
        *,
        polled: bool = False,
    ) -> bool:
        """The vendor's status (its webhook or a poll): its response or resolution, else
        progress in its own words; False when it is nothing new. The first status a poll reads
        (the vendor's "New") is kept without a word on the timeline: only changes are news."""
        text = text[:_STATUS_TEXT]
        if meaning is not None:
            answered = await self.lifecycle.vendor_answered(uow, row, meaning, utc_now())
            if text != row.vendor_status:
                await case_store.change(uow.session, row, vendor_status=text)
            return answered
        if text == row.vendor_status:
            return False
        await case_store.change(uow.session, row, vendor_status=text, updated_at=utc_now())
        if polled and row.vendor_status is None:
            return False
        await _emit(
            uow,
            row,
            VendorCaseUpdated(
                vendor=row.vendor, case_reference=row.case_reference or row.case_key, status=text
            ),
            None,
        )
        return True

    async def chase(self, uow: UnitOfWork, row: Row[Any], level: int, now: datetime) -> None:
        """The case is still unresolved at a level of the vendor's ladder: the ticket says so and
        the assigned technician is told whom to chase."""
        vendor = self.config.vendor(row.vendor)
        step = vendor.escalation_levels[level]
        reference = row.case_reference or row.case_key
        waited = readable_span(step.after)
        await _emit(
            uow,
            row,
            VendorCaseUpdated(
                vendor=row.vendor,
                case_reference=reference,
                status=f"unresolved after {waited}: chase {step.name}",
                note=f"contact {step.contact}",
            ),
            None,
        )
        if row.content:
            words = technician_notice(
                row.content,
                f"chase {step.name}",
                f"{vendor.name} has had case {reference} for {waited} without resolving it. "
                f"Their escalation ladder says: {step.name}, {step.contact}.",
            )
            await _emit(
                uow,
                row,
                NotificationRequested(
                    recipient=ASSIGNEE_RECIPIENT,
                    channel="email",
                    subject=words.subject,
                    body=words.body,
                ),
                None,
            )
        chased = self.metrics.chases.labels(vendor=row.vendor, level=step.name)
        uow.after_commit(chased.inc)


def has_vendor_number(row: Row[Any]) -> bool:
    """Whether the case goes by the vendor's number (not by our key, as an emailed case does
    until the vendor's reply numbers it)."""
    return row.case_reference is not None and row.case_reference != row.case_key


async def _emit(uow: UnitOfWork, case: Any, event: Any, cause: Envelope | None) -> None:
    await uow.emit(event, ticket_id=case.ticket_id, client_id=case.client_id, cause=cause)
