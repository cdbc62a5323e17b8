"""A case's life, and its next state once it is wanted: wait, ask, call, or send.

waiting_ticket ─┐ (the ticket's opening has not reached the gateway yet)
waiting_conditions ─┤ (automatic engagement: a tier has not had the ticket long enough)
                ├─> needs_data ─(technician supplies)─┐
                ├─> call_needed ─(technician records the vendor's number)─> open
                └─> pending ─> sending ─> open ─> acknowledged ─> resolved
                                   └─(retries spent, or refused)─> failed
Any state before open ─(ticket resolved)─> cancelled.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from escalator_shared.config import Client, Vendor
from escalator_vendor_gateway.domain.case_data import CaseData, gather
from escalator_vendor_gateway.domain.engagement import eligible_at, time_blockers
from escalator_vendor_gateway.domain.ticket_snapshot import TicketSnapshot


class CaseStatus(StrEnum):
    """Where a case stands."""

    WAITING_TICKET = "waiting_ticket"
    WAITING_CONDITIONS = "waiting_conditions"
    NEEDS_DATA = "needs_data"
    CALL_NEEDED = "call_needed"
    PENDING = "pending"
    SENDING = "sending"
    OPEN = "open"
    ACKNOWLEDGED = "acknowledged"
    RESOLVED = "resolved"
    FAILED = "failed"
    CANCELLED = "cancelled"


NOT_YET_OPEN = frozenset(
    {
        CaseStatus.WAITING_TICKET,
        CaseStatus.WAITING_CONDITIONS,
        CaseStatus.NEEDS_DATA,
        CaseStatus.CALL_NEEDED,
        CaseStatus.PENDING,
        CaseStatus.SENDING,
    }
)
AT_VENDOR = frozenset({CaseStatus.OPEN, CaseStatus.ACKNOWLEDGED})


@dataclass(frozen=True)
class Preparation:
    """The state a wanted case moves to, with what it found out on the way."""

    status: CaseStatus
    data: CaseData
    blockers: tuple[str, ...] = ()
    eligible_at: datetime | None = None


def prepare(
    vendor: Vendor,
    ticket: TicketSnapshot,
    client: Client,
    supplied: Mapping[str, str],
    *,
    wait_for_tiers: bool,
    now: datetime,
) -> Preparation:
    """The next state of a wanted case. `wait_for_tiers`: an automatic engagement, which waits
    for the tiers its conditions name (a rule's or a person's request does not)."""
    data = gather(vendor, ticket, client, supplied)
    if wait_for_tiers:
        blockers = time_blockers(vendor, ticket.held_by_tier(now))
        if blockers:
            return Preparation(
                CaseStatus.WAITING_CONDITIONS,
                data,
                tuple(blockers),
                eligible_at(vendor, ticket, now),
            )
    if not data.complete:
        return Preparation(CaseStatus.NEEDS_DATA, data)
    if vendor.opening_channel == "phone":
        return Preparation(CaseStatus.CALL_NEEDED, data)
    return Preparation(CaseStatus.PENDING, data)
