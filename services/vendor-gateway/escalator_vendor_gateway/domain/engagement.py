"""Whether a ticket warrants a vendor, with the reasons when it does not (shown to people).

Every condition the vendor's `engage_when` gives must hold: an error code among the configured
ones, a device type among them (the ticket's `device_type` label), a tier that has had the
ticket long enough, and the client covered by contract (an account at the vendor).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta

from escalator_shared.config import Client, Vendor
from escalator_vendor_gateway.domain.ticket_snapshot import TicketSnapshot

DEVICE_TYPE_LABEL = "device_type"


def engagement_blockers(
    vendor: Vendor,
    ticket: TicketSnapshot,
    client: Client,
    held_by_tier: Mapping[str, timedelta],
) -> list[str]:
    """Why the vendor should not be engaged yet; empty when it should."""
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
    for tier, needed in rules.worked_by.items():
        held = held_by_tier.get(tier, timedelta(0))
        if held < needed:
            blockers.append(
                f"{tier} has had the ticket {_minutes(held)}, not yet {_minutes(needed)}"
            )
    if rules.contract_required and vendor.id not in client.vendor_accounts:
        blockers.append(f"client {client.id} has no account with {vendor.name}")
    return blockers


def _minutes(span: timedelta) -> str:
    return f"{int(span.total_seconds() // 60)} min"
