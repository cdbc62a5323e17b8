"""Vendor gateway handlers: ticket facts in, cases wanted, cases waiting for their ticket.

- TicketOpened: the snapshot; cases that waited for it are prepared; vendors whose engagement
  conditions the ticket meets are engaged without being asked.
- TicketRouted: tier and assignee (tier time counts towards `worked_by` conditions).
- TicketPriorityChanged, TicketResolved, TicketReopened: kept; a resolved ticket's cases not yet
  at the vendor are cancelled.
- VendorCaseRequested (a routing rule or a person): one case per ticket and vendor.
- VendorReplyReceived: the vendor's emailed answer (its response, perhaps its case number).
"""

from __future__ import annotations

from dataclasses import dataclass

from escalator_shared.bus.dispatcher import HandlerContext, HandlerRegistry
from escalator_shared.config import EscalatorConfig
from escalator_shared.events import (
    TicketOpened,
    TicketPriorityChanged,
    TicketReopened,
    TicketResolved,
    TicketRouted,
    VendorCaseRequested,
    VendorReplyReceived,
    utc_now,
)
from escalator_vendor_gateway import case_store, ticket_store
from escalator_vendor_gateway.case_lifecycle import CaseLifecycle
from escalator_vendor_gateway.case_steps import AUTOMATIC
from escalator_vendor_gateway.case_store import Wanted
from escalator_vendor_gateway.case_tracking import CaseTracking
from escalator_vendor_gateway.domain.case_plan import NOT_YET_OPEN, CaseStatus
from escalator_vendor_gateway.domain.engagement import engages_automatically, trigger_blockers
from escalator_vendor_gateway.domain.ticket_snapshot import TicketSnapshot

_BEFORE_SENDING = NOT_YET_OPEN - {CaseStatus.SENDING}
_WAITING_TICKET = frozenset({CaseStatus.WAITING_TICKET})
# A request takes over these: a failed or cancelled case is tried again (same key), and an
# automatic one waiting for tier time goes ahead, since a rule or a person asked for it.
_RETRYABLE = frozenset({CaseStatus.FAILED, CaseStatus.CANCELLED, CaseStatus.WAITING_CONDITIONS})


@dataclass(frozen=True)
class CaseHandlers:
    """Handlers of the tickets, routing and vendor topics."""

    config: EscalatorConfig
    lifecycle: CaseLifecycle
    tracking: CaseTracking

    async def on_opened(self, opened: TicketOpened, ctx: HandlerContext) -> None:
        """Keep the ticket; prepare cases that waited for it; engage vendors it calls for."""
        session, ticket_id = ctx.uow.session, ctx.envelope.ticket_id
        ticket, fresh = await ticket_store.record_opened(
            session, ticket_id, ctx.envelope.client_id, opened
        )
        if opened.drill:
            return
        now = utc_now()
        # A fresh row means no request came before the opening, so none waits for it.
        for row in [] if fresh else await case_store.cases_of(session, ticket_id, _WAITING_TICKET):
            await self.lifecycle.prepare(ctx.uow, row, ticket, now, ctx.envelope)
        await self._engage(ctx, ticket)

    async def _engage(self, ctx: HandlerContext, ticket: TicketSnapshot) -> None:
        client = self.config.client(ticket.client_id)
        for vendor in self.config.vendors:
            if not engages_automatically(vendor) or trigger_blockers(vendor, ticket, client):
                continue
            codes = ", ".join(ticket.error_codes) or ticket.labels.get("device_type", "")
            wanted = Wanted(
                ticket.ticket_id,
                ticket.client_id,
                vendor.id,
                f"engagement conditions met ({codes})",
                AUTOMATIC,
                utc_now(),
            )
            await self.lifecycle.prepare_new(ctx.uow, wanted, ticket, ctx.envelope)

    async def on_routed(self, routed: TicketRouted, ctx: HandlerContext) -> None:
        """Tier and assignee; automatic cases waiting on tier time get a new eligible time."""
        session, ticket_id = ctx.uow.session, ctx.envelope.ticket_id
        now = utc_now()
        ticket = await ticket_store.record_routed(
            session, ticket_id, ctx.envelope.client_id, routed, now
        )
        if not ticket.opened:
            return
        waiting = frozenset({CaseStatus.WAITING_CONDITIONS})
        for row in await case_store.cases_of(session, ticket_id, waiting):
            await self.lifecycle.prepare(ctx.uow, row, ticket, now, ctx.envelope)

    async def on_priority_changed(
        self, changed: TicketPriorityChanged, ctx: HandlerContext
    ) -> None:
        """Cases opened from now on carry the new priority."""
        await ticket_store.record_priority(
            ctx.uow.session, ctx.envelope.ticket_id, changed.priority.value
        )

    async def on_resolved(self, _resolved: TicketResolved, ctx: HandlerContext) -> None:
        """Cases not yet sent are cancelled: the vendor is not needed any more."""
        session, ticket_id = ctx.uow.session, ctx.envelope.ticket_id
        await ticket_store.hold(session, ticket_id, ctx.envelope.client_id)
        await ticket_store.record_resolved(session, ticket_id, resolved=True)
        now = utc_now()
        for row in await case_store.cases_of(session, ticket_id, _BEFORE_SENDING):
            await case_store.change(session, row, status=CaseStatus.CANCELLED.value, updated_at=now)

    async def on_reopened(self, _reopened: TicketReopened, ctx: HandlerContext) -> None:
        """Reopened: a new request may engage a vendor again."""
        await ticket_store.record_resolved(ctx.uow.session, ctx.envelope.ticket_id, resolved=False)

    async def on_case_requested(self, requested: VendorCaseRequested, ctx: HandlerContext) -> None:
        """One case per ticket and vendor; it waits for the ticket if that has not arrived.

        A case the ticket already has is taken over only if it failed, was cancelled, or waits
        for its engagement conditions."""
        session, ticket_id = ctx.uow.session, ctx.envelope.ticket_id
        ticket = await ticket_store.hold(session, ticket_id, ctx.envelope.client_id)
        now = utc_now()
        wanted = Wanted(
            ticket_id,
            ctx.envelope.client_id,
            requested.vendor,
            requested.reason,
            requested.requested_by,
            now,
        )
        if ticket.opened:
            if await self.lifecycle.prepare_new(ctx.uow, wanted, ticket, ctx.envelope):
                return
        elif await case_store.insert_wanted(session, wanted) is not None:
            return  # prepared when the ticket's opening arrives
        row = await case_store.case_of(session, ticket_id, requested.vendor, lock=True)
        if row is None or CaseStatus(row.status) not in _RETRYABLE:
            return  # the ticket already has its case with this vendor
        taken_over = await case_store.change(
            session,
            row,
            status=CaseStatus.WAITING_TICKET.value,
            requested_by=requested.requested_by,
            reason=requested.reason,
            attempts=0,
            updated_at=now,
        )
        if ticket.opened:
            await self.lifecycle.prepare(ctx.uow, taken_over, ticket, now, ctx.envelope)

    async def on_vendor_reply(self, reply: VendorReplyReceived, ctx: HandlerContext) -> None:
        """The vendor's first email on the ticket is its response to the case, and may give
        the vendor's case number."""
        row = await case_store.case_of(
            ctx.uow.session, ctx.envelope.ticket_id, reply.vendor, lock=True
        )
        if row is not None:
            await self.tracking.replied(ctx.uow, row, reply, ctx.envelope)

    def registry(self) -> HandlerRegistry:
        """Event type to handlers."""
        return {
            TicketOpened: [self.on_opened],
            TicketRouted: [self.on_routed],
            TicketPriorityChanged: [self.on_priority_changed],
            TicketResolved: [self.on_resolved],
            TicketReopened: [self.on_reopened],
            VendorCaseRequested: [self.on_case_requested],
            VendorReplyReceived: [self.on_vendor_reply],
        }
