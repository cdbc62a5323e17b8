"""A vendor case's clocks, whether the case is read after its ticket opened or before.

The vendor and tickets topics are not ordered together, so a VendorCaseOpened can be handled
before its ticket's TicketOpened. Such a case waits in `waiting_vendor_cases` (with any
acknowledgement or resolution read meanwhile) and its clocks start, from the case's own times,
when the ticket opens. Both sides lock the ticket's `sla_tickets` row first, so a case is either
seen by the opening or finds the ticket open.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Text, delete, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from escalator_shared.db.array_params import any_of
from escalator_shared.db.unit_of_work import UnitOfWork
from escalator_sla_timer.clock_keeper import ClockKeeper, Emit
from escalator_sla_timer.clock_rows import StoredClock
from escalator_sla_timer.domain.clock import ClockState
from escalator_sla_timer.domain.plans import VENDOR_ACKNOWLEDGEMENT, Planner
from escalator_sla_timer.tables import waiting_vendor_cases
from escalator_sla_timer.ticket_facts import KnownTicket


@dataclass(frozen=True)
class VendorCase:
    """A case as the vendor topic told it."""

    vendor: str
    case_reference: str
    opened_at: datetime
    acknowledged_at: datetime | None = None
    resolved_at: datetime | None = None


@dataclass(frozen=True)
class VendorClocks:
    """Starts (and, for a case that waited, stops) a case's clocks."""

    planner: Planner
    keeper: ClockKeeper

    async def start(
        self,
        uow: UnitOfWork,
        emit: Emit,
        ticket: KnownTicket,
        case: VendorCase,
        cycles: Counter[str],
    ) -> None:
        """Start the case's clocks; `cycles` counts the ticket's clocks per metric so far."""
        started = []
        for plan in self.planner.vendor_plans(case.vendor, ticket.facts.priority):
            started.append(
                self.keeper.new(
                    plan,
                    ticket,
                    case.opened_at,
                    cycle=cycles[plan.metric],
                    vendor=case.vendor,
                    case_reference=case.case_reference,
                )
            )
            cycles[plan.metric] += 1
        await self.keeper.start(uow, emit, started)
        for stored in started:
            at = case.resolved_at
            if stored.metric == VENDOR_ACKNOWLEDGEMENT and case.acknowledged_at is not None:
                at = case.acknowledged_at if at is None else min(at, case.acknowledged_at)
            if at is not None:
                await self.keeper.stop(uow, emit, stored, ClockState.FULFILLED, at)


async def wait(session: AsyncSession, ticket_id: str, case: VendorCase) -> None:
    """Keep a case until its ticket opens (a redelivered case is kept once)."""
    await session.execute(
        insert(waiting_vendor_cases)
        .values(
            ticket_id=ticket_id,
            case_reference=case.case_reference,
            vendor=case.vendor,
            opened_at=case.opened_at,
        )
        .on_conflict_do_nothing()
    )


def clocks_of(clocks: Sequence[StoredClock], case: tuple[str, str]) -> list[StoredClock]:
    """The clocks of the vendor's case (vendor, case reference) among a ticket's clocks.

    A case may be renamed after its clocks started: an emailed case goes by our key until the
    vendor's reply gives its own number. A reference no clock has ever had is therefore the
    vendor's case under its new number (the gateway keeps one case per ticket and vendor)."""
    vendor, reference = case
    of_vendor = [c for c in clocks if c.vendor == vendor]
    named = [c for c in of_vendor if c.case_reference == reference]
    return named or of_vendor


async def note(session: AsyncSession, ticket_id: str, case: tuple[str, str], **times: Any) -> None:
    """Record an acknowledgement or resolution of a waiting case (no-op if none waits); by its
    reference, else (renamed) the vendor's."""
    vendor, reference = case
    by_ticket = waiting_vendor_cases.c.ticket_id == ticket_id
    named = await session.execute(
        update(waiting_vendor_cases)
        .where(by_ticket, waiting_vendor_cases.c.case_reference == reference)
        .values(**times)
        .returning(waiting_vendor_cases.c.ticket_id)
    )
    if named.first() is None:
        await session.execute(
            update(waiting_vendor_cases)
            .where(by_ticket, waiting_vendor_cases.c.vendor == vendor)
            .values(**times)
        )


# Every TicketOpened batch asks, and almost always nothing waits: one statement built once.
_TAKE = (
    delete(waiting_vendor_cases)
    .where(waiting_vendor_cases.c.ticket_id == any_of("ticket_ids", Text))
    .returning(waiting_vendor_cases)
)


async def take(session: AsyncSession, ticket_ids: Sequence[str]) -> dict[str, list[VendorCase]]:
    """Remove and return the cases waiting for these tickets, oldest first."""
    rows = (await session.execute(_TAKE, {"ticket_ids": list(ticket_ids)})).all()
    waiting: dict[str, list[VendorCase]] = {}
    for row in sorted(rows, key=lambda r: r.opened_at):
        waiting.setdefault(row.ticket_id, []).append(
            VendorCase(
                row.vendor, row.case_reference, row.opened_at, row.acknowledged_at, row.resolved_at
            )
        )
    return waiting
