"""Moving a case along its life and telling everyone: the one place that changes case states.

Handlers, the opener and the API all go through `CaseLifecycle`, so each step writes the same
columns and emits the same events (VendorCaseDataRequested, VendorCallRequested,
VendorCaseOpened with the client's update, VendorCaseFailed, acknowledgement and resolution).
"""

from __future__ import annotations

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
    VendorCallRequested,
    VendorCaseAcknowledged,
    VendorCaseDataRequested,
    VendorCaseFailed,
    VendorCaseOpened,
    VendorCaseResolved,
)
from escalator_vendor_gateway import case_store
from escalator_vendor_gateway.case_store import AUTOMATIC
from escalator_vendor_gateway.domain.case_message import case_context, client_update
from escalator_vendor_gateway.domain.case_plan import CaseStatus, Preparation, prepare
from escalator_vendor_gateway.domain.hotline import hours_text, is_open
from escalator_vendor_gateway.domain.ticket_snapshot import TicketSnapshot
from escalator_vendor_gateway.gateway_metrics import GatewayMetrics


@dataclass(frozen=True)
class CaseLifecycle:
    """State changes of cases, each with its events, in the caller's unit of work."""

    config: EscalatorConfig
    metrics: GatewayMetrics
    wake_opener: Callable[[], None]

    async def prepare(
        self,
        uow: UnitOfWork,
        row: Row[Any],
        ticket: TicketSnapshot,
        now: datetime,
        cause: Envelope | None = None,
    ) -> CaseStatus:
        """Decide the wanted case's next state, store it, and ask for what it needs."""
        try:
            vendor = self.config.vendor(row.vendor)
        except KeyError:
            await self.fail(
                uow, row, "unknown_vendor", f"no vendor {row.vendor!r} in the directory", cause
            )
            return CaseStatus.FAILED
        client = self.config.client(row.client_id)
        preparation = prepare(
            vendor,
            ticket,
            client,
            row.supplied,
            wait_for_tiers=row.requested_by == AUTOMATIC,
            now=now,
        )
        values = _stored(
            preparation, case_context(row.case_key, vendor, ticket, client, preparation.data)
        )
        values.update(channel=vendor.opening_channel, updated_at=now)
        if preparation.status is CaseStatus.PENDING:
            values.update(next_attempt_at=now, ready_at=now, unsure=False, last_error=None)
            uow.after_commit(self.wake_opener)
        await case_store.change(uow.session, row, **values)
        if preparation.status is CaseStatus.NEEDS_DATA:
            missing = preparation.data.missing
            await _emit(
                uow,
                row,
                VendorCaseDataRequested(
                    vendor=vendor.id,
                    fields=[f.name for f in missing],
                    labels=[f.title for f in missing],
                    asked=ticket.assignee,
                ),
                cause,
            )
        elif preparation.status is CaseStatus.CALL_NEEDED:
            hotline = vendor.hotline
            labels = {f.name: f.title for f in vendor.requires}
            await _emit(
                uow,
                row,
                VendorCallRequested(
                    vendor=vendor.id,
                    number=hotline.number if hotline else None,
                    portal_url=vendor.portal_url,
                    open_now=is_open(hotline, now) if hotline else True,
                    hours=hours_text(hotline) if hotline else "",
                    script=hotline.script if hotline else "",
                    data={labels.get(k, k): v for k, v in preparation.data.values.items()},
                    asked=ticket.assignee,
                ),
                cause,
            )
        return preparation.status

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
        await _emit(
            uow,
            row,
            VendorCaseOpened(vendor=row.vendor, case_reference=reference, channel=channel),
            cause,
        )
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


def _stored(preparation: Preparation, content: dict[str, Any]) -> dict[str, Any]:
    return {
        "status": preparation.status.value,
        "content": content,
        "missing": [f.name for f in preparation.data.missing],
        "blockers": list(preparation.blockers),
        "eligible_at": preparation.eligible_at,
    }


async def _emit(uow: UnitOfWork, row: Row[Any], event: Event, cause: Envelope | None) -> None:
    await uow.emit(event, ticket_id=row.ticket_id, client_id=row.client_id, cause=cause)
