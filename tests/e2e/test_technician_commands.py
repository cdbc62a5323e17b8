"""Technician commands over the staff API, and one-click links, recorded on the timeline."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.e2e.conftest import STAFF_TOKEN, RunningSystem

pytestmark = pytest.mark.e2e

ALICE = {"Authorization": f"Bearer {STAFF_TOKEN}"}
CAROL = {"Authorization": "Bearer dev-staff-token-carol"}  # a manager


def _post(system: RunningSystem, path: str, headers: dict[str, str], **body: Any) -> httpx.Response:
    with system.intake as client:
        return client.post(path, json=body or None, headers=headers)


def test_commands_change_the_ticket_and_each_lands_on_the_timeline(system: RunningSystem) -> None:
    ticket = system.post_alert({"title": "Mailbox full for j.doe", "severity": "warning"})
    system.wait_for_ticket(ticket, until="TicketOpened")
    base = f"/v1/tickets/{ticket}"

    hold = _post(system, f"{base}/status", ALICE, status="on_hold", hold_reason="awaiting_customer")
    assert hold.status_code == 200, hold.text
    assert (hold.json()["status"], hold.json()["hold_reason"]) == ("on_hold", "awaiting_customer")
    note = _post(
        system, f"{base}/notes", ALICE, text="Asked the user to archive", customer_visible=True
    )
    assert note.status_code == 201
    priority = _post(system, f"{base}/priority", ALICE, impact="high", urgency="medium")
    assert priority.json()["priority"] == "P2"
    assert _post(system, f"{base}/escalate", ALICE, reason="VIP user").status_code == 202
    assert _post(system, f"{base}/resolve", ALICE, resolution="archived").status_code == 200
    reopened = _post(system, f"{base}/reopen", ALICE, reason="still full")
    assert reopened.json()["status"] == "in_progress"

    view = system.wait_for_ticket(ticket, until="TicketReopened")
    lines = [e["summary"] for e in view["timeline"]]
    assert "Status new → on_hold (awaiting_customer) by alice" in lines
    assert "Customer update by alice: Asked the user to archive" in lines
    assert "Priority P4 → P2 (impact high, urgency medium) by alice" in lines
    assert "Escalation requested by alice (manual): VIP user" in lines
    assert "Reopened by alice: still full" in lines


def test_refusals_name_the_rule(system: RunningSystem) -> None:
    ticket = system.post_alert({"title": "Printer jam", "severity": "info"})
    system.wait_for_ticket(ticket, until="TicketOpened")
    base = f"/v1/tickets/{ticket}"
    cancel = _post(system, f"{base}/status", ALICE, status="cancelled")
    assert cancel.status_code == 409
    assert "needs a manager" in cancel.json()["message"]
    assert (
        _post(system, f"{base}/status", CAROL, status="cancelled").json()["status"] == "cancelled"
    )
    reopen = _post(system, f"{base}/reopen", ALICE)
    assert reopen.status_code == 409
    bad = _post(system, f"{base}/status", ALICE, status="sleeping")
    assert bad.status_code == 422
    assert bad.json()["problems"][0]["field"] == "body.status"


def test_a_one_click_link_confirms_then_acknowledges_once(system: RunningSystem) -> None:
    ticket = system.post_alert({"title": "Backup failed", "severity": "warning"})
    system.wait_for_ticket(ticket, until="TicketOpened")
    links = _post(system, f"/v1/tickets/{ticket}/links", ALICE, valid_for_minutes=30).json()
    path = links["acknowledge"].removeprefix("http://127.0.0.1:8001")
    with system.intake as client:
        page = client.get(path)
        assert page.status_code == 200
        assert '<form method="post">' in page.text
        assert system.ticket(ticket)["acknowledged_by"] is None  # type: ignore[index]
        done = client.post(path)
        assert done.status_code == 200
        again = client.post(path)
        assert again.status_code == 409
        forged = client.post(path[:-3] + "abc")
        assert forged.status_code == 403
    assert system.ticket(ticket)["acknowledged_by"] == "alice"  # type: ignore[index]
