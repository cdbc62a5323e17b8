"""What a client contact sees of a ticket: its progress and customer updates, nothing internal.

No internal notes, routing, assignments of teams, labels, integration names, OLA or vendor
clocks, vendor account ids or staff contact details: only the fields and timeline entries below.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from escalator_shared.access import CUSTOMER_CLOCK_METRICS

_FIELDS = (
    "id",
    "reference",
    "client_id",
    "title",
    "description",
    "device",
    "status",
    "hold_reason",
    "priority",
    "requester",
    "opened_at",
    "acknowledged_at",
    "resolved_at",
)


def _note(data: Mapping[str, Any]) -> str | None:
    if not data.get("customer_visible"):
        return None
    return str(data.get("text", ""))


_ENTRIES: dict[str, Callable[[Mapping[str, Any]], str | None]] = {
    "TicketOpened": lambda d: f"Ticket opened: {d.get('title', '')}",
    "TicketAcknowledged": lambda _d: "Acknowledged by our support team",
    "TicketStatusChanged": lambda d: f"Status changed to {d.get('status', '')}",
    "TicketResolved": lambda d: (
        "Resolved" + (f": {d['resolution']}" if d.get("resolution") else "")
    ),
    "TicketReopened": lambda _d: "Reopened",
    "TicketNoteAdded": _note,
    "VendorCaseOpened": lambda d: f"We opened a case with {d.get('vendor', 'the vendor')}",
    "VendorCaseResolved": lambda d: f"{d.get('vendor', 'The vendor')} resolved its case",
}


def customer_ticket(ticket: Mapping[str, Any]) -> dict[str, Any]:
    """The ticket's customer-visible fields, with the contract's clocks only."""
    view = {name: ticket.get(name) for name in _FIELDS}
    sla = ticket.get("sla") or {}
    view["sla"] = {
        metric: clock for metric, clock in sla.items() if metric in CUSTOMER_CLOCK_METRICS
    }
    return view


def customer_timeline(entries: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """The timeline entries a customer sees, each in words meant for them."""
    shown: list[dict[str, Any]] = []
    for entry in entries:
        describe = _ENTRIES.get(entry["event"])
        summary = describe(entry["data"]) if describe else None
        if summary is not None:
            shown.append({"at": entry["at"], "event": entry["event"], "summary": summary})
    return shown
