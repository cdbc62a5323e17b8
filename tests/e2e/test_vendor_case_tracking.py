"""An open vendor case followed with nobody's help: Dell (a stand-in ServiceNow that sends no
webhook here) asked for its case's status on a schedule, and a case left unresolved chased up
Dell's own escalation ladder."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import pytest

from tests.e2e.conftest import RunningSystem
from tests.e2e.service_metrics import metric_sum
from tests.e2e.sla_clock_api import summaries, wait_for_clock, wait_for_summary
from tests.e2e.vendor_case_api import (
    alert_title,
    dell_alert,
    dell_config,
    gateway_env,
    running_vendor_api,
    wait_for_case,
)
from tests.harness.smtp_sink import text_of
from tests.harness.vendor_api import VendorApiStub
from tests.harness.waiting import eventually

pytestmark = pytest.mark.e2e

POLLS = "escalator_vendor_status_polls_total"
CHASES = "escalator_vendor_case_chases_total"
DUTY_MANAGER = "dell-duty@vendor.example"
CHASE_AFTER = 4  # seconds a case may stay unresolved before Dell's duty manager is chased


@pytest.fixture(scope="module")
def vendor_api() -> Iterator[VendorApiStub]:
    """Dell's case API."""
    with running_vendor_api() as stub:
        yield stub


@pytest.fixture(scope="module")
def config_overrides(vendor_api: VendorApiStub) -> dict[str, Any]:
    """Dell asked for the status of each open case every second, with a one-step ladder."""
    config = dell_config(vendor_api.url)
    dell = config["vendors"][-1]
    dell["api"]["poll"] = {"every": "1s"}
    dell["escalation_levels"] = [
        {"name": "duty manager", "after": f"{CHASE_AFTER}s", "contact": DUTY_MANAGER}
    ]
    return config


@pytest.fixture(scope="module")
def service_env_overrides() -> dict[str, str]:
    """Dell's secrets; the poller and the chaser look for due cases often."""
    return {
        **gateway_env(lease_seconds=30),
        "ESCALATOR_STATUS_POLL_SECONDS": "0.3",
        "ESCALATOR_CHASE_POLL_SECONDS": "0.3",
    }


def test_polling_dells_api_hears_its_response_and_its_resolution(
    system: RunningSystem, vendor_api: VendorApiStub
) -> None:
    gateway_process = system.services["vendor-gateway"]
    ticket_id = dell_alert(system, alert_title())
    case = wait_for_case(system, ticket_id, "open")
    number = case["case_reference"]
    # Dell's case is still New: polls find nothing to report.
    eventually(
        lambda: metric_sum(gateway_process, POLLS, vendor="dell", outcome="unchanged") >= 1,
        15,
        "no status poll of the new case",
    )
    asked = [
        r for r in vendor_api.received("GET") if r.query.get("sysparm_query") == f"number={number}"
    ]
    assert asked, "the poll did not ask for the case by Dell's number"
    updates = summaries(system, ticket_id, "VendorCaseUpdated")
    assert [u for u in updates if "chase" not in u] == []

    progress = f"dell case {number}: Assigned"
    vendor_api.set_state(number, "Assigned")  # neither a response nor a resolution: progress
    wait_for_summary(system, ticket_id, "VendorCaseUpdated", progress)
    vendor_api.set_state(number, "In Progress")  # Dell has responded
    wait_for_case(system, ticket_id, "acknowledged")
    wait_for_clock(system, ticket_id, "vendor_acknowledgement", state="fulfilled")
    vendor_api.set_state(number, "Resolved")
    resolved = wait_for_case(system, ticket_id, "resolved")
    assert resolved["vendor_status"] == "Resolved"
    assert resolved["poll_error"] is None
    wait_for_clock(system, ticket_id, "vendor_resolution", state="fulfilled")
    assert summaries(system, ticket_id, "VendorCaseResolved") == [f"dell resolved case {number}"]
    # Each change was reported once, however many polls saw it (the case may have been chased
    # up Dell's ladder meanwhile: the other test's business).
    updates = summaries(system, ticket_id, "VendorCaseUpdated")
    assert [u for u in updates if "chase" not in u] == [progress]
    assert summaries(system, ticket_id, "VendorCaseAcknowledged") == [
        f"dell acknowledged case {number}"
    ]
    # A resolved case is not asked about any more.
    polls = len(vendor_api.received("GET"))
    time.sleep(2.5)
    later = [
        r
        for r in vendor_api.received("GET")[polls:]
        if r.query.get("sysparm_query") == f"number={number}"
    ]
    assert later == []


def test_a_case_unresolved_past_dells_ladder_is_chased_once(
    system: RunningSystem, vendor_api: VendorApiStub
) -> None:
    gateway_process = system.services["vendor-gateway"]
    chased_before = metric_sum(gateway_process, CHASES, vendor="dell")
    ticket_id = dell_alert(system, alert_title())
    case = wait_for_case(system, ticket_id, "open")
    number = case["case_reference"]
    step = f"dell case {number}: unresolved after {CHASE_AFTER} seconds: chase duty manager"
    wait_for_summary(system, ticket_id, "VendorCaseUpdated", step, within=30)
    assignee = system.wait_for_ticket(ticket_id, until="TicketRouted")["assignee"]
    [notice] = system.smtp.wait_for(
        "chase duty manager", number, within=30, to=f"{assignee}@msp.example"
    )
    assert DUTY_MANAGER in text_of(notice)
    # Later sweeps leave it alone: one level, one chase.
    time.sleep(1.5)
    assert summaries(system, ticket_id, "VendorCaseUpdated") == [step]
    assert len(system.smtp.matching("chase duty manager", number)) == 1
    assert wait_for_case(system, ticket_id, "open", within=5)["chased_levels"] == 1
    eventually(
        lambda: metric_sum(gateway_process, CHASES, vendor="dell") == chased_before + 1,
        10,
        "the chase was not counted",
    )
