"""What people (and vendors' webhooks) do to cases: ask for one, supply missing data, record a
case opened by phone, report the vendor's answer. Each is one unit of work; ApiError names
what is wrong."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Row

from escalator_shared.config import EscalatorConfig
from escalator_shared.db.unit_of_work import UnitOfWork
from escalator_shared.events import VendorCaseRequested, utc_now
from escalator_shared.http.errors import ApiError
from escalator_vendor_gateway import case_store, ticket_store
from escalator_vendor_gateway.case_lifecycle import CaseLifecycle
from escalator_vendor_gateway.case_tracking import CaseTracking
from escalator_vendor_gateway.domain.case_plan import AT_VENDOR, CaseStatus
from escalator_vendor_gateway.known_vendors import known_vendor

_HAND_OPENABLE = frozenset({CaseStatus.CALL_NEEDED, CaseStatus.FAILED, CaseStatus.NEEDS_DATA})


@dataclass(frozen=True)
class CaseCommands:
    """The commands behind the cases API and the vendor webhook."""

    unit_of_work: Callable[[], UnitOfWork]
    config: EscalatorConfig
    lifecycle: CaseLifecycle
    tracking: CaseTracking

    async def request(self, ticket_id: str, vendor_id: str, person: str, note: str) -> None:
        """A technician engages a vendor (VendorCaseRequested, handled like a rule's)."""
        known_vendor(self.config, vendor_id)
        async with self.unit_of_work() as uow:
            ticket = await ticket_store.load(uow.session, ticket_id)
            if ticket is None:
                raise ApiError(404, "unknown_ticket", f"the gateway knows no ticket {ticket_id!r}")
            await uow.emit(
                VendorCaseRequested(
                    vendor=vendor_id, reason=note or f"requested by {person}", requested_by=person
                ),
                ticket_id=ticket_id,
                client_id=ticket.client_id,
            )

    async def supply(self, ticket_id: str, vendor_id: str, values: Mapping[str, str]) -> str:
        """Fill the fields the case lacks; it goes out once nothing required is missing."""
        vendor = known_vendor(self.config, vendor_id)
        known = {f.name for f in vendor.requires}
        unknown = sorted(set(values) - known)
        if unknown:
            raise ApiError(
                422,
                "unknown_fields",
                f"{vendor.name} takes no {', '.join(unknown)}; "
                f"its fields: {', '.join(sorted(known))}",
            )
        async with self.unit_of_work() as uow:
            row = await self._case(uow, ticket_id, vendor_id, frozenset({CaseStatus.NEEDS_DATA}))
            supplied = {**row.supplied, **{k: v.strip() for k, v in values.items() if v.strip()}}
            await case_store.change(uow.session, row, supplied=supplied)
            ticket = await ticket_store.load_opened(uow.session, ticket_id)
            fresh = await case_store.case_of(uow.session, ticket_id, vendor_id, lock=True)
            # A case waits for data only once its ticket is known.
            assert ticket is not None
            assert fresh is not None
            status = await self.lifecycle.prepare(uow, fresh, ticket, utc_now())
        return status.value

    async def record_opened(self, ticket_id: str, vendor_id: str, reference: str) -> None:
        """A technician opened the case by phone or portal (or by hand after a failure)."""
        known_vendor(self.config, vendor_id)
        async with self.unit_of_work() as uow:
            row = await self._case(uow, ticket_id, vendor_id, _HAND_OPENABLE)
            channel = "phone" if row.status == CaseStatus.CALL_NEEDED.value else "recorded"
            await self.lifecycle.opened(uow, row, reference, channel, utc_now())

    async def record_answer(
        self, ticket_id: str, vendor_id: str, status: CaseStatus, at: datetime | None
    ) -> bool:
        """The vendor acknowledged or resolved the case (as a technician reports it)."""
        known_vendor(self.config, vendor_id)
        async with self.unit_of_work() as uow:
            row = await self._case(uow, ticket_id, vendor_id, AT_VENDOR | {CaseStatus.RESOLVED})
            return await self.lifecycle.vendor_answered(uow, row, status, at or utc_now())

    async def vendor_reported(
        self, vendor_id: str, reference: str, status: CaseStatus | None, text: str
    ) -> Row[Any]:
        """A vendor's webhook: its answer, or progress in its own words."""
        async with self.unit_of_work() as uow:
            row = await case_store.case_by_reference(uow.session, vendor_id, reference)
            if row is None:
                raise ApiError(404, "unknown_case", f"no {vendor_id} case {reference!r}")
            await self.tracking.reported(uow, row, status, text)
            return row

    async def _case(
        self, uow: UnitOfWork, ticket_id: str, vendor_id: str, allowed: frozenset[CaseStatus]
    ) -> Row[Any]:
        row = await case_store.case_of(uow.session, ticket_id, vendor_id, lock=True)
        if row is None:
            raise ApiError(404, "unknown_case", f"ticket {ticket_id} has no case with {vendor_id}")
        if CaseStatus(row.status) not in allowed:
            expected = ", ".join(sorted(s.value for s in allowed))
            raise ApiError(409, "wrong_state", f"the case is {row.status}; this needs {expected}")
        return row
