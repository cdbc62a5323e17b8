"""Vendor cases opened with nobody's help: Dell by its API (a stand-in ServiceNow), its
commitment clocked, its status webhook heard; Synology by email; and a phone vendor's case
opened by a technician.

Retries, refusals and a restart mid-call are in test_vendor_cases_retries.py.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest

from tests.e2e.conftest import RunningSystem
from tests.e2e.service_metrics import metric_sum
from tests.e2e.sla_clock_api import (
    TECHNICIAN,
    at,
    find_clock,
    summaries,
    wait_for_clock,
    wait_for_summary,
)
from tests.e2e.vendor_case_api import (
    ACME_DELL_CUSTOMER,
    ACME_SYNOLOGY_ACCOUNT,
    DELL_API_AUTHORIZATION,
    NAS_SERIAL,
    P2_COMMITTED,
    SERVICE_TAG,
    SYNOLOGY_SUPPORT,
    UPDATE_CONTACT,
    alert_title,
    dell_alert,
    dell_config,
    gateway,
    gateway_env,
    running_vendor_api,
    vendor_cases,
    vendor_webhook,
    wait_for_case,
    with_synology,
)
from tests.harness.smtp_sink import text_of
from tests.harness.vendor_api import VendorApiStub
from tests.harness.waiting import eventually

pytestmark = pytest.mark.e2e

OPENED = "escalator_vendor_cases_opened_total"


@pytest.fixture(scope="module")
def vendor_api() -> Iterator[VendorApiStub]:
    """Dell's case API."""
    with running_vendor_api() as stub:
        yield stub


@pytest.fixture(scope="module")
def config_overrides(vendor_api: VendorApiStub) -> dict[str, Any]:
    """Dell with its API at the stub and Synology by email, ACME covered by contract."""
    return with_synology(dell_config(vendor_api.url))


@pytest.fixture(scope="module")
def service_env_overrides() -> dict[str, str]:
    """Dell's secrets for the gateway."""
    return gateway_env(lease_seconds=30)


def _opened_with_nobody_asked(system: RunningSystem, ticket_id: str, opened: str) -> None:
    """The ticket's timeline has the one opening, and no request for data or a call."""
    view = system.wait_for_ticket(ticket_id, until="VendorCaseOpened")
    events = [e["event"] for e in view["timeline"]]
    assert "VendorCaseDataRequested" not in events
    assert "VendorCallRequested" not in events
    assert summaries(system, ticket_id, "VendorCaseOpened") == [opened]


def test_a_dell_error_code_opens_one_case_by_api_with_nobody_asked(
    system: RunningSystem, vendor_api: VendorApiStub
) -> None:
    gateway_process = system.services["vendor-gateway"]
    opened_before = metric_sum(gateway_process, OPENED, vendor="dell", channel="api")
    title = alert_title()
    ticket_id = dell_alert(system, title)

    system.wait_for_ticket(ticket_id, until="VendorCaseOpened", within=30)
    case = wait_for_case(system, ticket_id, "open")
    [created] = vendor_api.cases(case["case_key"])
    [post] = vendor_api.received("POST", case["case_key"])
    assert post.headers["idempotency-key"] == case["case_key"]
    assert post.headers["authorization"] == DELL_API_AUTHORIZATION
    assert post.body["correlation_id"] == case["case_key"]
    assert title in post.body["short_description"]
    for line in (
        f"Service tag: {SERVICE_TAG}",
        "Error code: DELL-PSU-0042",
        f"Customer number: {ACME_DELL_CUSTOMER}",
    ):
        assert line in post.body["description"]
    assert post.body["urgency"] == "1"  # P2
    assert (case["case_reference"], case["channel"], case["attempts"]) == (
        created["number"],
        "api",
        1,
    )
    assert case["requested_by"] == "vendor-gateway"
    assert [c["vendor"] for c in vendor_cases(system, ticket_id)] == ["dell"]
    _opened_with_nobody_asked(
        system, ticket_id, f"Vendor case {created['number']} opened with dell by api"
    )

    [update] = system.smtp.wait_for(created["number"], within=30, to=UPDATE_CONTACT)
    # The assignee hears of the case too (a vendor update).
    assignee = system.wait_for_ticket(ticket_id, until="TicketRouted")["assignee"]
    system.smtp.wait_for(
        f"case {created['number']} opened", within=30, to=f"{assignee}@msp.example"
    )
    assert str(update["Subject"]).endswith("We have escalated this to Dell")
    body = update.get_body(("plain",))
    assert body is not None
    text = body.get_content()
    assert f'"{title}"' in text
    assert f"Dell's committed response for this priority is {P2_COMMITTED}." in text
    eventually(
        lambda: (
            metric_sum(gateway_process, OPENED, vendor="dell", channel="api") == opened_before + 1
        ),
        10,
        "the opened case was not counted",
    )


def test_a_synology_error_code_opens_one_case_by_email_with_nobody_asked(
    system: RunningSystem,
) -> None:
    gateway_process = system.services["vendor-gateway"]
    opened_before = metric_sum(gateway_process, OPENED, vendor="synology", channel="email")
    title = f"Volume degraded on nas-{alert_title().rsplit('-', 1)[-1]}"
    ticket_id = system.post_alert(
        {
            "title": title,
            "severity": "major",
            "device": title.rsplit(" ", 1)[-1],
            "labels": {"serial": NAS_SERIAL},
            "error_codes": ["SYNO-RAID-DEGRADED"],
        }
    )

    system.wait_for_ticket(ticket_id, until="VendorCaseOpened", within=30)
    case = wait_for_case(system, ticket_id, "open", vendor="synology")
    [mail] = system.smtp.wait_for(case["case_key"], within=30, to=SYNOLOGY_SUPPORT)
    assert title in str(mail["Subject"])
    assert str(mail["Message-ID"]).startswith(f"<vendor-case.{case['case_key']}")
    body = text_of(mail)
    for line in (
        f"Serial number: {NAS_SERIAL}",
        "Error code: SYNO-RAID-DEGRADED",
        f"Account: {ACME_SYNOLOGY_ACCOUNT}",
        f"Device: {title.rsplit(' ', 1)[-1]}",
    ):
        assert line in body
    assert (case["channel"], case["attempts"], case["requested_by"]) == (
        "email",
        1,
        "vendor-gateway",
    )
    _opened_with_nobody_asked(
        system, ticket_id, f"Vendor case {case['case_key']} opened with synology by email"
    )
    [update] = system.smtp.wait_for(case["case_key"], within=30, to=UPDATE_CONTACT)
    assert str(update["Subject"]).endswith("We have escalated this to Synology")
    eventually(
        lambda: (
            metric_sum(gateway_process, OPENED, vendor="synology", channel="email")
            == opened_before + 1
        ),
        10,
        "the opened case was not counted",
    )
    time.sleep(1)  # a second email would have gone out by now
    assert len(system.smtp.matching(case["case_key"], to=SYNOLOGY_SUPPORT)) == 1


def test_a_vendor_missing_its_acknowledgement_commitment_breaches_its_clock(
    system: RunningSystem,
) -> None:
    ticket_id = dell_alert(system, alert_title())
    case = wait_for_case(system, ticket_id, "open")
    clock = wait_for_clock(system, ticket_id, "vendor_acknowledgement", within=30)
    assert (clock["vendor"], clock["case_reference"]) == ("dell", case["case_reference"])
    assert (clock["policy"], clock["target_seconds"]) == ("vendor:dell", 5)

    breach = wait_for_summary(
        system, ticket_id, "SlaBreached", "vendor_acknowledgement SLA breached", within=30
    )
    assert breach == "vendor_acknowledgement SLA breached (vendor:dell, target 5s)"
    breached = find_clock(system, ticket_id, "vendor_acknowledgement")
    assert breached is not None
    assert breached["breached"] is True
    # The ticket's own clocks (an hour) are untouched by the vendor's lateness.
    assert len(summaries(system, ticket_id, "SlaBreached")) == 1


def test_dells_status_webhook_acknowledges_the_case_in_time(
    system: RunningSystem, vendor_api: VendorApiStub
) -> None:
    ticket_id = dell_alert(system, alert_title(), severity="minor")  # P3: 15 s to acknowledge
    case = wait_for_case(system, ticket_id, "open")
    number = case["case_reference"]
    assert vendor_api.cases(case["case_key"])[0]["number"] == number

    answered = vendor_webhook(system, {"number": number, "state": "In Progress"})
    assert answered.status_code == 200, answered.text
    assert answered.json() == {
        "ticket_id": ticket_id,
        "case_reference": number,
        "status": "In Progress",
    }
    wait_for_summary(
        system, ticket_id, "VendorCaseAcknowledged", f"dell acknowledged case {number}"
    )
    acknowledged = wait_for_case(system, ticket_id, "acknowledged")
    assert acknowledged["acknowledged_at"] is not None

    wrong = vendor_webhook(system, {"number": number, "state": "Resolved"}, token="guessed")
    assert wrong.status_code == 401
    unknown = vendor_webhook(system, {"number": "INC9999999", "state": "In Progress"})
    assert unknown.status_code == 404
    assert unknown.json()["error"] == "unknown_case"

    met = wait_for_clock(system, ticket_id, "vendor_acknowledgement", state="fulfilled")
    assert met["target_seconds"] == 15
    # Past the commitment's due time nothing breaches, and the 401 resolved nothing.
    time.sleep(max(0.0, (at(met["due_at"]) - datetime.now(UTC)).total_seconds()) + 2)
    after = find_clock(system, ticket_id, "vendor_acknowledgement")
    assert after is not None
    assert (after["state"], after["breached"]) == ("fulfilled", False)
    assert summaries(system, ticket_id, "SlaBreached") == []
    assert wait_for_case(system, ticket_id, "acknowledged")["resolved_at"] is None


def test_a_technician_engages_a_phone_only_vendor_and_records_its_reference(
    system: RunningSystem,
) -> None:
    ticket_id = system.post_alert(
        {"title": "Leased line down at the London office", "severity": "minor", "device": "rtr-lon"}
    )
    system.wait_for_ticket(ticket_id, until="TicketOpened")
    with gateway(system) as client:

        def engaged() -> httpx.Response | None:
            response = client.post(
                f"/v1/tickets/{ticket_id}/vendor-cases",
                json={"vendor": "fibrenet", "note": "line down since 09:10"},
                headers=TECHNICIAN,
            )
            # 404 until the gateway has read the ticket's opening.
            return response if response.status_code != 404 else None

        response = eventually(engaged, 30, "the gateway never took the request")
        assert response.status_code == 202, response.text
        call = wait_for_summary(system, ticket_id, "VendorCallRequested", "fibrenet", within=30)
        assert call.startswith("Open the fibrenet case by phone on +44 20 7946 0000")
        case = wait_for_case(system, ticket_id, "call_needed", vendor="fibrenet")
        assert case["data"] == {"Circuit ID": "FN-LON-88121", "Site (device)": "rtr-lon"}

        recorded = client.post(
            f"/v1/vendor-cases/{ticket_id}/fibrenet/opened",
            json={"case_reference": "FN-REF-20417"},
            headers=TECHNICIAN,
        )
        assert recorded.status_code == 200, recorded.text
    opened = wait_for_summary(system, ticket_id, "VendorCaseOpened", "FN-REF-20417")
    assert opened == "Vendor case FN-REF-20417 opened with fibrenet by phone"
    case = wait_for_case(system, ticket_id, "open", vendor="fibrenet")
    assert (case["case_reference"], case["channel"]) == ("FN-REF-20417", "phone")
    assert len(system.smtp.wait_for("FN-REF-20417", within=30, to=UPDATE_CONTACT)) == 1
