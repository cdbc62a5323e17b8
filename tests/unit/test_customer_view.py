"""What a client contact sees of a ticket: customer-visible fields, clocks and timeline only."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from escalator_intake.domain.customer_view import customer_ticket, customer_timeline

AT = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)


def _entry(event: str, **data: Any) -> dict[str, Any]:
    return {"at": AT, "event": event, "by": "intake", "summary": "staff words", "data": data}


def test_internal_fields_and_clocks_are_left_out() -> None:
    ticket = {
        "id": "t1",
        "reference": "TKT-7",
        "client_id": "acme",
        "title": "Printer",
        "status": "in_progress",
        "assignee": "alice",
        "team": "helpdesk",
        "labels": {"vendor_account": "9b1c"},
        "integration": "acme-monitoring",
        "sla": {"response": {"state": "met"}, "ola:L2": {"state": "running"}},
    }
    view = customer_ticket(ticket)
    assert view["reference"] == "TKT-7"
    assert view["sla"] == {"response": {"state": "met"}}
    assert not {"assignee", "team", "labels", "integration"} & set(view)


def test_the_timeline_keeps_customer_entries_in_customer_words() -> None:
    entries = [
        _entry("TicketOpened", title="Printer"),
        _entry("TicketRouted", tier="L1", assignee="alice"),
        _entry("TicketNoteAdded", text="We replaced the toner", customer_visible=True),
        _entry("TicketNoteAdded", text="User was rude", customer_visible=False),
        _entry("EscalationStepReached", step=2),
        _entry("VendorCaseOpened", vendor="microsoft", case_reference="MS-1"),
        _entry("TicketResolved", resolution="Toner replaced"),
    ]
    shown = customer_timeline(entries)
    assert [e["summary"] for e in shown] == [
        "Ticket opened: Printer",
        "We replaced the toner",
        "We opened a case with microsoft",
        "Resolved: Toner replaced",
    ]
    assert all(set(e) == {"at", "event", "summary"} for e in shown)
