"""Vendor gateway handlers: record each requested case once per ticket and vendor."""

from __future__ import annotations

from sqlalchemy.dialects.postgresql import insert

from escalator_shared.bus.dispatcher import HandlerContext, HandlerRegistry
from escalator_shared.events import VendorCaseRequested, utc_now
from escalator_vendor_gateway.tables import vendor_cases

REQUESTED = "requested"


async def on_case_requested(requested: VendorCaseRequested, ctx: HandlerContext) -> None:
    """Record the request; opening the case at the vendor comes with the vendor directory."""
    await ctx.uow.session.execute(
        insert(vendor_cases)
        .values(
            ticket_id=ctx.envelope.ticket_id,
            vendor=requested.vendor,
            client_id=ctx.envelope.client_id,
            status=REQUESTED,
            reason=requested.reason,
            requested_by=requested.requested_by,
            requested_at=utc_now(),
        )
        .on_conflict_do_nothing()
    )


CASE_HANDLERS: HandlerRegistry = {VendorCaseRequested: [on_case_requested]}
