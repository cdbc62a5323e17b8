"""Moving a case along its life and telling everyone: the one place that changes case states.

Handlers, the opener and the API all go through `CaseLifecycle`, so each step writes the same
columns and emits the same events (VendorCaseDataRequested, VendorCallRequested,
VendorCaseOpened with the client's update, VendorCaseFailed, acknowledgement and resolution).
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Row

from escalator_shared.config import EscalatorConfig
from escalator_shared.db.unit_of_work import UnitOfWork
from escalator_shared.events import (
    Envelope,
    Event,
    NotificationRequested,
    VendorCaseAcknowledged,
    VendorCaseFailed,
    VendorCaseOpened,
    VendorCaseResolved,
)
from escalator_shared.events.catalogue import ASSIGNEE_RECIPIENT
from escalator_vendor_gateway import case_store
from escalator_vendor_gateway.case_steps import Step, next_step
from escalator_vendor_gateway.case_store import Wanted
from escalator_vendor_gateway.domain.case_message import client_update, technician_notice
from escalator_vendor_gateway.domain.case_plan import CaseStatus
from escalator_vendor_gateway.domain.ticket_snapshot import TicketSnapshot
from escalator_vendor_gateway.gateway_metrics import GatewayMetrics
from escalator_vendor_gateway.send_slot import SendSlot, no_slot


@dataclass(frozen=True)
class CaseLifecycle:
    """State changes of cases, each with its events, in the caller's unit of work."""

    config: EscalatorConfig
    metrics: GatewayMetrics
    wake_opener: Callable[[], None]
    # A free slot of this instance's opener, if any: a case made ready is stored leased to it
    # and handed over once committed (send_slot.py); without one it waits to be claimed.
    reserve_slot: Callable[[str, datetime], SendSlot | None] = no_slot

    async def prepare(
        self,
        uow: UnitOfWork,
        row: Row[Any],
        ticket: TicketSnapshot,
        now: datetime,
        cause: Envelope | None = None,
    ) -> CaseStatus:
        """Decide the wanted case's next state, store it, and ask for what it needs."""
        step = next_step(self.config, row, ticket, now)
        slot = self._reserve(uow, step, row.vendor, now)
        leased = slot.leased(row.attempts + 1) if slot else {}
        stored = await case_store.change(uow.session, row, **{**step.values, **leased})
        await self._announce(uow, stored, step, cause, slot)
        return step.status

    async def prepare_new(
        self, uow: UnitOfWork, wanted: Wanted, ticket: TicketSnapshot, cause: Envelope | None
    ) -> bool:
        """Insert the wanted case already prepared (one statement); False if the ticket has a
        case with the vendor already."""
        case = wanted.as_new_case()
        step = next_step(self.config, case, ticket, wanted.at)
        slot = self._reserve(uow, step, case.vendor, wanted.at)
        leased = slot.leased(1) if slot else {}
        stored = await case_store.insert_prepared(uow.session, case, {**step.values, **leased})
        if stored is None:
            if slot:
                slot.give_back()
            return False
        await self._announce(uow, stored, step, cause, slot)
        return True

    def _reserve(self, uow: UnitOfWork, step: Step, vendor: str, now: datetime) -> SendSlot | None:
        slot = self.reserve_slot(vendor, now) if step.ready else None
        if slot:
            uow.after_rollback(slot.give_back)
        return slot

    async def _announce(
        self,
        uow: UnitOfWork,
        case: Row[Any],
        step: Step,
        cause: Envelope | None,
        slot: SendSlot | None,
    ) -> None:
        for event in step.events:
            await _emit(uow, case, event, cause)
        if slot:
            uow.after_commit(functools.partial(slot.send, case))
        elif step.ready:
            uow.after_commit(self.wake_opener)
        if step.status is CaseStatus.FAILED:
            failed = self.metrics.failed.labels(vendor=case.vendor, reason="unknown_vendor")
            uow.after_commit(failed.inc)

    async def opened(
        self,
        uow: UnitOfWork,
        row: Row[Any],
        reference: str,
        channel: str,
        now: datetime,
        *,
        cause: Envelope | None = None,
    ) -> None:
        """The vendor has the case: record its number, start its clocks, tell the client."""
        await case_store.change(
            uow.session,
            row,
            status=CaseStatus.OPEN.value,
            case_reference=reference,
            channel=channel,
            opened_at=now,
            lease_until=None,
            unsure=False,
            last_error=None,
            updated_at=now,
        )
        await self.announce_opened(uow, row, reference, channel, cause=cause)

    async def announce_opened(
        self,
        uow: UnitOfWork,
        row: Row[Any],
        reference: str,
        channel: str,
        *,
        cause: Envelope | None = None,
        message_id: str | None = None,
    ) -> None:
        """VendorCaseOpened and the client's update, for a case stored as open."""
        opened = VendorCaseOpened(
            vendor=row.vendor, case_reference=reference, channel=channel, message_id=message_id
        )
        await _emit(uow, row, opened, cause)
        uow.after_commit(self.metrics.opened.labels(vendor=row.vendor, channel=channel).inc)
        await self._tell_client(uow, row, reference, cause)

    async def fail(
        self,
        uow: UnitOfWork,
        row: Row[Any],
        reason: str,
        error: str,
        cause: Envelope | None = None,
        *,
        now: datetime | None = None,
    ) -> None:
        """Opening failed for good: the ticket and the technician are told."""
        await case_store.change(
            uow.session,
            row,
            status=CaseStatus.FAILED.value,
            last_error=error[:1000],
            lease_until=None,
            **({"updated_at": now} if now else {}),
        )
        await _emit(
            uow,
            row,
            VendorCaseFailed(
                vendor=row.vendor,
                channel=row.channel or "none",
                error=error[:1000],
                attempts=row.attempts,
            ),
            cause,
        )
        uow.after_commit(self.metrics.failed.labels(vendor=row.vendor, reason=reason).inc)
        if row.content:
            words = technician_notice(
                row.content,
                "opening failed",
                f"Opening the case by {row.channel} failed after {row.attempts} attempts: "
                f"{error[:500]}\nOpen it by hand and record the vendor's number (POST "
                f"/v1/vendor-cases/{row.ticket_id}/{row.vendor}/opened), or ask again.",
            )
            notice = NotificationRequested(
                recipient=ASSIGNEE_RECIPIENT,
                channel="email",
                subject=words.subject,
                body=words.body,
            )
            await _emit(uow, row, notice, cause)

    async def vendor_answered(
        self,
        uow: UnitOfWork,
        row: Row[Any],
        status: CaseStatus,
        at: datetime,
        cause: Envelope | None = None,
    ) -> bool:
        """The vendor acknowledged or resolved the case; False if that is old news."""
        reference = row.case_reference or row.case_key
        if status is CaseStatus.ACKNOWLEDGED:
            if row.acknowledged_at is not None or row.status == CaseStatus.RESOLVED.value:
                return False
            await case_store.change(
                uow.session, row, status=status.value, acknowledged_at=at, updated_at=at
            )
            event: Event = VendorCaseAcknowledged(
                vendor=row.vendor, case_reference=reference, acknowledged_at=at
            )
            if row.opened_at is not None:
                seconds = max((at - row.opened_at).total_seconds(), 0.0)
                uow.after_commit(
                    lambda: self.metrics.response.labels(vendor=row.vendor).observe(seconds)
                )
        else:
            if row.resolved_at is not None:
                return False
            await case_store.change(
                uow.session, row, status=status.value, resolved_at=at, updated_at=at
            )
            event = VendorCaseResolved(vendor=row.vendor, case_reference=reference, resolved_at=at)
        await _emit(uow, row, event, cause)
        return True

    async def _tell_client(
        self, uow: UnitOfWork, row: Row[Any], reference: str, cause: Envelope | None
    ) -> None:
        content = row.content
        if not content:
            return
        client = self.config.client(row.client_id)
        recipients = [content["requester"]] if content.get("requester") else client.update_contacts
        words = client_update(content, self.config.vendor(row.vendor), reference)
        for address in recipients:
            await _emit(
                uow,
                row,
                NotificationRequested(
                    recipient=address, channel="email", subject=words.subject, body=words.body
                ),
                cause,
            )


async def _emit(uow: UnitOfWork, case: Any, event: Event, cause: Envelope | None) -> None:
    await uow.emit(event, ticket_id=case.ticket_id, client_id=case.client_id, cause=cause)
