"""Whether a ticket warrants a vendor, with the reasons when it does not (shown to people).

Every condition the vendor's `engage_when` gives must hold: an error code among the configured
ones, a device type among them (the ticket's `device_type` label), a tier that has had the
ticket long enough, and the client covered by contract (an account at the vendor). The first,
second and fourth are facts of the ticket (*trigger* conditions); the tier's time is a wait,
with a moment it will be met (`eligible_at`) while the ticket stays in that tier.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta

from escalator_shared.config import Client, Vendor
from escalator_vendor_gateway.domain.ticket_snapshot import TicketSnapshot

DEVICE_TYPE_LABEL = "device_type"


def engages_automatically(vendor: Vendor) -> bool:
    """Whether the vendor is engaged without being asked: its conditions name error codes or
    device types (a vendor without them is engaged only when a rule or a person asks)."""
    rules = vendor.engage_when
    return rules is not None and bool(rules.error_codes or rules.device_types)


def engagement_blockers(
    vendor: Vendor,
    ticket: TicketSnapshot,
    client: Client,
    held_by_tier: Mapping[str, timedelta],
) -> list[str]:
    """Why the vendor should not be engaged yet; empty when it should."""
    return trigger_blockers(vendor, ticket, client) + time_blockers(vendor, held_by_tier)


def trigger_blockers(vendor: Vendor, ticket: TicketSnapshot, client: Client) -> list[str]:
    """The unmet conditions that are facts of the ticket and the client (waiting cannot help)."""
    rules = vendor.engage_when
    if rules is None:
        return []
    blockers = []
    if not rules.matches_error_code(list(ticket.error_codes)):
        codes = ", ".join(ticket.error_codes) or "none"
        blockers.append(f"error codes {codes} are not among {', '.join(rules.error_codes)}")
    device_type = ticket.labels.get(DEVICE_TYPE_LABEL)
    if rules.device_types and device_type not in rules.device_types:
        blockers.append(
            f"device type {device_type or 'unknown'} is not among {', '.join(rules.device_types)}"
        )
    if rules.contract_required and vendor.id not in client.vendor_accounts:
        blockers.append(f"client {client.id} has no account with {vendor.name}")
    return blockers


def time_blockers(vendor: Vendor, held_by_tier: Mapping[str, timedelta]) -> list[str]:
    """The tiers that have not had the ticket long enough yet."""
    rules = vendor.engage_when
    if rules is None:
        return []
    blockers = []
    for tier, needed in rules.worked_by.items():
        held = held_by_tier.get(tier, timedelta(0))
        if held < needed:
            blockers.append(
                f"{tier} has had the ticket {_minutes(held)}, not yet {_minutes(needed)}"
            )
    return blockers


def eligible_at(vendor: Vendor, ticket: TicketSnapshot, now: datetime) -> datetime | None:
    """When the tier conditions will hold if the ticket stays where it is; None: not while it
    stays (a tier that must work it does not have it)."""
    rules = vendor.engage_when
    if rules is None:
        return now
    held = ticket.held_by_tier(now)
    moment = now
    for tier, needed in rules.worked_by.items():
        short = needed - held.get(tier, timedelta(0))
        if short <= timedelta(0):
            continue
        if tier != ticket.tier:
            return None
        moment = max(moment, now + short)
    return moment


def _minutes(span: timedelta) -> str:
    return f"{int(span.total_seconds() // 60)} min"
