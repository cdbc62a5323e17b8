"""An alert through all five services: routed, clocked, breached or not, emailed."""

from __future__ import annotations

import re
import time
from datetime import UTC, datetime
from email.message import EmailMessage

import httpx
import pytest

from tests.e2e.conftest import STAFF_TOKEN, RunningSystem
from tests.e2e.sla_clock_api import wait_for_clock
from tests.harness.smtp_sink import text_of
from tests.harness.waiting import eventually

pytestmark = pytest.mark.e2e


def test_an_alert_becomes_a_routed_ticket_and_the_assignee_is_emailed(
    system: RunningSystem,
) -> None:
    ticket_id = system.post_alert(
        {"title": "Backup job failed on srv-files", "severity": "minor", "device": "srv-files"}
    )
    view = system.wait_for_ticket(ticket_id, until="SlaClockStarted")
    view = system.wait_for_ticket(ticket_id, until="TicketRouted")
    assert view["client_id"] == "acme"
    assert view["priority"] == "P3"
    assert (view["tier"], view["team"], view["assignee"]) == ("L1", "helpdesk", "alice")
    assert view["sla"]["response"]["state"] == "running"
    events = [e["event"] for e in view["timeline"]]
    assert events[0] == "TicketOpened"
    assert {"TicketRouted", "SlaClockStarted"} <= set(events)
    mail = system.smtp.wait_for(ticket_id, within=15)
    assigned = [m for m in mail if "Assigned to you" in str(m["Subject"])]
    assert len(assigned) == 1
    assert assigned[0]["To"] == "alice@msp.example"
    assert "Backup job failed on srv-files" in str(assigned[0]["Subject"])


def test_an_unacknowledged_ticket_breaches_and_the_breach_email_arrives(
    system: RunningSystem,
) -> None:
    ticket_id = system.post_alert({"title": "Core switch unreachable", "severity": "critical"})
    # Critical goes to L2 (rule critical-to-l2): the breach email goes to Bob, the assignee,
    # and to Carol, the team's manager; once each.
    breach = eventually(
        lambda: (
            found
            if len(found := system.smtp.matching(f"Ticket id: {ticket_id}", "breached its")) >= 2
            else None
        ),
        30,
        "no breach emails to the assignee and the manager",
    )
    assert sorted(m["To"] for m in breach) == ["bob@msp.example", "carol@msp.example"]
    assert all("SLA BREACHED (response)" in str(m["Subject"]) for m in breach)
    view = system.wait_for_ticket(ticket_id, until="SlaBreached")
    assert view["sla"]["response"]["state"] == "breached"
    # The breach moves the P1 fast track to its next step: the manager and the executives.
    stepped = eventually(
        lambda: (
            [
                e["summary"]
                for e in (system.ticket(ticket_id) or {"timeline": []})["timeline"]
                if e["event"] == "EscalationStepReached" and "sla breached" in e["summary"]
            ]
            or None
        ),
        20,
        "the breach did not escalate",
    )
    assert stepped == [
        "Escalation step 2 (Manager and executives): paged carol, frank (sla breached)"
    ]
    system.wait_for_ticket(ticket_id, until="NotificationDelivered")


def test_an_acknowledged_ticket_does_not_breach(system: RunningSystem) -> None:
    ticket_id = system.post_alert({"title": "Printer offline", "severity": "warning"})
    system.wait_for_ticket(ticket_id, until="SlaClockStarted")
    with system.intake as client:
        response = client.post(
            f"/v1/tickets/{ticket_id}/acknowledge",
            headers={"Authorization": f"Bearer {STAFF_TOKEN}"},
        )
    assert response.status_code == 200, response.text
    assert response.json()["acknowledged_by"] == "alice"
    view = system.wait_for_ticket(ticket_id, until="SlaClockStopped")
    assert view["sla"]["response"]["state"] == "fulfilled"
    # Wait until well past the clock's due time and make sure nothing breached.
    due_at = datetime.fromisoformat(view["sla"]["response"]["due_at"])
    time.sleep(max(0.0, (due_at - datetime.now(UTC)).total_seconds()) + 3)
    later = system.ticket(ticket_id)
    assert later is not None
    assert "SlaBreached" not in [e["event"] for e in later["timeline"]]
    assert system.smtp.matching(f"Ticket id: {ticket_id}", "breached its") == []


def test_acknowledging_twice_is_a_conflict_that_names_who_did_it(system: RunningSystem) -> None:
    ticket_id = system.post_alert({"title": "VPN tunnel down", "severity": "warning"})
    system.wait_for_ticket(ticket_id, until="TicketOpened")
    headers = {"Authorization": f"Bearer {STAFF_TOKEN}"}
    with system.intake as client:
        assert client.post(f"/v1/tickets/{ticket_id}/acknowledge", headers=headers).is_success
        again = client.post(f"/v1/tickets/{ticket_id}/acknowledge", headers=headers)
    assert again.status_code == 409
    assert again.json() == {
        "error": "conflict",
        "message": "the ticket was already acknowledged by alice",
    }


def test_a_vendor_rule_opens_one_emailed_case_once_the_technician_supplies_missing_data(
    system: RunningSystem,
) -> None:
    ticket_id = system.post_alert(
        {
            "title": "Exchange Online mail flow delayed",
            "severity": "major",
            "labels": {"service": "m365"},
            "error_codes": ["0x80040115"],
        }
    )
    # Microsoft needs the number of users affected, which nothing on the ticket holds.
    view = system.wait_for_ticket(ticket_id, until="VendorCaseDataRequested")
    [asked] = [e["summary"] for e in view["timeline"] if e["event"] == "VendorCaseDataRequested"]
    assert asked.startswith("microsoft case waits for Users affected")
    [notice] = system.smtp.wait_for("Microsoft 365 case: data needed", within=15)
    assert notice["To"] == "bob@msp.example"  # the assignee
    assert "The vendor requires Users affected." in text_of(notice)
    staff = {"Authorization": f"Bearer {STAFF_TOKEN}"}
    with httpx.Client(base_url=system.services["vendor-gateway"].url, timeout=10) as gateway:
        listed = gateway.get("/v1/vendor-cases", params={"ticket_id": ticket_id}, headers=staff)
        [case] = listed.json()
        assert (case["vendor"], case["status"], case["missing"]) == (
            "microsoft",
            "needs_data",
            ["affected_users"],
        )
        supplied = gateway.post(
            f"/v1/vendor-cases/{ticket_id}/microsoft/data",
            json={"values": {"affected_users": "about 40, the whole sales floor"}},
            headers=staff,
        )
        assert supplied.status_code == 200, supplied.text
        assert supplied.json()["status"] == "pending"
        again = gateway.post(
            f"/v1/vendor-cases/{ticket_id}/microsoft/data",
            json={"values": {"affected_users": "41"}},
            headers=staff,
        )
        assert again.status_code == 409
    view = system.wait_for_ticket(ticket_id, until="VendorCaseOpened")
    [mail] = system.smtp.wait_for("Our case key is VC-", within=15)
    assert mail["To"] == "m365-support@vendor.example"
    body = text_of(mail)
    for line in (
        "Tenant ID: 9b1c7e52-acme-tenant",
        "Partner ID: 4412087",
        "Error code: 0x80040115",
        "Users affected: about 40, the whole sales floor",
    ):
        assert line in body
    [opened] = [e["summary"] for e in view["timeline"] if e["event"] == "VendorCaseOpened"]
    assert opened.startswith("Vendor case VC-")
    assert opened.endswith("with microsoft by email")
    assert str(mail["Message-ID"]).startswith("<vendor-case.VC-")
    # Microsoft answers on the thread: its reply is the vendor's response on the case. Its
    # subject lost our [TKT-n] tag; In-Reply-To names the case email (issue 21, item 9).
    reply = EmailMessage()
    reply["From"] = "Microsoft Support <m365-support@vendor.example>"
    reply["To"] = "support@msp.example"
    reply["Subject"] = "RE: " + re.sub(r"\s*\[TKT-\d+\]", "", str(mail["Subject"]))
    reply["Message-ID"] = "<reply-1@vendor.example>"
    reply["In-Reply-To"] = str(mail["Message-ID"])
    reply.set_content("Case 2511230040001234 is with our Exchange team; next update in 2 hours.")
    system.send_email(bytes(reply), "m365-support@vendor.example")
    view = system.wait_for_ticket(ticket_id, until="VendorCaseAcknowledged")
    notes = [e["summary"] for e in view["timeline"] if e["event"] == "TicketNoteAdded"]
    assert any("Exchange team" in note for note in notes), notes
    assert "VendorReplyReceived" in [e["event"] for e in view["timeline"]]
    # The reply gave Microsoft's own case number: the case goes by it from now on.
    [numbered] = [e["summary"] for e in view["timeline"] if e["event"] == "VendorCaseUpdated"]
    assert numbered == "microsoft case 2511230040001234: numbered by the vendor"
    [acknowledged] = [
        e["summary"] for e in view["timeline"] if e["event"] == "VendorCaseAcknowledged"
    ]
    assert "2511230040001234" in acknowledged
    with httpx.Client(base_url=system.services["vendor-gateway"].url, timeout=10) as gateway:
        [case] = gateway.get(
            "/v1/vendor-cases", params={"ticket_id": ticket_id}, headers=staff
        ).json()
    assert (case["status"], case["case_reference"]) == ("acknowledged", "2511230040001234")
    assert case["case_key"].startswith("VC-")
    # The vendor's acknowledgement clock started under our key and stops under its number.
    clock = wait_for_clock(system, ticket_id, "vendor_acknowledgement", state="fulfilled")
    assert clock["vendor"] == "microsoft"
