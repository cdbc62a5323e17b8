"""The data a vendor case carries, gathered from where the directory says each value lives.

A required field with no value anywhere is *missing*: the case is not sent incomplete; the
assigned technician is asked for exactly those fields, and what they supply fills them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from escalator_shared.config import Client, Vendor
from escalator_shared.config.vendors import CaseField
from escalator_vendor_gateway.domain.ticket_snapshot import TicketSnapshot


@dataclass(frozen=True)
class CaseData:
    """The values found, in the directory's order, and the required fields still missing."""

    values: dict[str, str]
    missing: tuple[CaseField, ...]

    @property
    def complete(self) -> bool:
        """Whether the case may be sent."""
        return not self.missing


def gather(
    vendor: Vendor,
    ticket: TicketSnapshot,
    client: Client,
    supplied: Mapping[str, str] | None = None,
) -> CaseData:
    """Each field's value from its source, else from what a technician supplied."""
    supplied = supplied or {}
    values: dict[str, str] = {}
    missing: list[CaseField] = []
    for case_field in vendor.requires:
        value = _from_source(case_field.source, vendor, ticket, client)
        if not value:
            value = supplied.get(case_field.name, "").strip()
        if value:
            values[case_field.name] = value
        elif case_field.required:
            missing.append(case_field)
    return CaseData(values, tuple(missing))


def _from_source(source: str, vendor: Vendor, ticket: TicketSnapshot, client: Client) -> str:
    kind, _, path = source.partition(".")
    if kind == "ticket":
        return _ticket_value(path, ticket)
    if kind == "client":
        if path.startswith("account."):
            account = client.vendor_accounts.get(vendor.id, {})
            return account.get(path.removeprefix("account."), "")
        return client.id if path == "id" else client.name
    if kind == "vendor":
        return vendor.account.get(path.removeprefix("account."), "")
    return ""  # technician: only what they supply


def _ticket_value(path: str, ticket: TicketSnapshot) -> str:
    if path.startswith("labels."):
        return ticket.labels.get(path.removeprefix("labels."), "")
    if path == "error_codes":
        return ", ".join(ticket.error_codes)
    if path == "opened_at":
        return ticket.opened_at.isoformat() if ticket.opened_at else ""
    value = getattr(ticket, path)
    return str(value) if value is not None else ""
