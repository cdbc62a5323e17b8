"""Clocks other events start and stop: a reopen (reset or resume, by policy), a tier's OLA
handed on by a re-route, and a vendor case's clocks on the vendor's commitment.

The router routes a ticket once and the vendor gateway does not open cases yet, so the tests speak
as them on the bus for the re-route and the case events (and one test as intake, to hold a
ticket's opening back until the timer has read its case).
"""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from escalator_shared.events import (
    Priority,
    Severity,
    TicketOpened,
    TicketRouted,
    VendorCaseAcknowledged,
    VendorCaseOpened,
    VendorCaseResolved,
    new_id,
    utc_now,
)
from tests.e2e.conftest import RunningSystem
from tests.e2e.service_metrics import metric_sum
from tests.e2e.sla_bus import publish, sla_stream
from tests.e2e.sla_clock_api import (
    at,
    find_clock,
    seconds_between,
    staff_post,
    summaries,
    wait_for_clock,
    wait_for_summary,
)
from tests.harness.waiting import eventually

pytestmark = pytest.mark.e2e

HOUR = dict.fromkeys(("P1", "P2", "P3", "P4", "P5"), "1h")
OLA = {"L1": "1h", "L2": "3s"}
VENDOR_ACKNOWLEDGE = "3s"
# A resolution clock runs RUN seconds before the resolve, and the ticket stays resolved GAP.
RUN, GAP = 1.0, 1.0


def _policy(policy_id: str, on_reopen: str) -> dict[str, Any]:
    return {
        "id": policy_id,
        "response": HOUR,
        "resolution": HOUR,
        "ola": OLA,
        "on_reopen": on_reopen,
    }


@pytest.fixture(scope="module")
def config_overrides() -> dict[str, Any]:
    """ACME (standard) resets the resolution clock on reopen, Globex (premium) resumes it;
    L2 holds a ticket 3 s at most; Microsoft acknowledges within 3 s."""
    return {
        "sla_policies": [_policy("standard", "reset"), _policy("premium", "resume")],
        "vendors": [
            {
                "id": "microsoft",
                "name": "Microsoft 365",
                "support_email": "m365-support@vendor.example",
                "commitment": {"acknowledge": {"P3": VENDOR_ACKNOWLEDGE}, "resolve": {"P3": "1h"}},
            },
            {"id": "fibrenet", "name": "FibreNet Business ISP"},  # named by acme's accounts
        ],
    }


def _globex_alert(system: RunningSystem, title: str) -> str:
    with system.intake as client:
        response = client.post(
            "/v1/webhooks/globex-monitoring",
            json={"title": title, "severity": "minor"},
            headers={"Authorization": "Bearer dev-token-globex-monitoring"},
        )
    assert response.status_code == 202, response.text
    ticket_id: str = response.json()["ticket_id"]
    return ticket_id


def _resolve_then_reopen(system: RunningSystem, ticket: str) -> dict[str, Any]:
    """Let the resolution clock run a while, resolve, wait, reopen; the fulfilled clock."""
    wait_for_clock(system, ticket, "resolution")
    time.sleep(RUN)
    staff_post(system, f"/v1/tickets/{ticket}/resolve", resolution="fixed, we think")
    fulfilled = wait_for_clock(system, ticket, "resolution", state="fulfilled")
    time.sleep(GAP)
    staff_post(system, f"/v1/tickets/{ticket}/reopen", reason="it is back")
    return fulfilled


def test_reopening_under_a_reset_policy_starts_a_new_resolution_cycle(
    system: RunningSystem,
) -> None:
    ticket = system.post_alert({"title": "Mapped drive missing", "severity": "minor"})
    first = _resolve_then_reopen(system, ticket)

    second = wait_for_clock(system, ticket, "resolution", cycle=1)
    assert first["elapsed_seconds"] >= RUN
    kept = find_clock(system, ticket, "resolution", cycle=0)
    assert kept is not None
    assert (kept["state"], kept["elapsed_seconds"]) == ("fulfilled", first["elapsed_seconds"])
    assert (second["policy"], second["target_seconds"]) == ("standard", 3600)
    assert seconds_between(first["stopped_at"], second["started_at"]) >= GAP
    # Counting afresh from the reopen: only the time since then is used.
    since_reopen = seconds_between(second["started_at"], second["as_of"])
    assert second["elapsed_seconds"] == pytest.approx(since_reopen, abs=0.1)
    assert seconds_between(second["started_at"], second["due_at"]) == 3600
    assert [entry["kind"] for entry in second["log"]] == ["started"]
    eventually(
        lambda: (
            sum(
                line.startswith("resolution clock started")
                for line in summaries(system, ticket, "SlaClockStarted")
            )
            == 2
        ),
        10,
        "the timeline never showed the second resolution clock",
    )


def test_reopening_under_a_resume_policy_continues_the_resolution_clock(
    system: RunningSystem,
) -> None:
    ticket = _globex_alert(system, "Document management search is slow")
    first = _resolve_then_reopen(system, ticket)

    resumed = wait_for_clock(system, ticket, "resolution")
    assert find_clock(system, ticket, "resolution", cycle=1) is None
    assert resumed["policy"] == "premium"
    assert [entry["kind"] for entry in resumed["log"]] == ["started", "fulfilled", "reopened"]
    reopened_at = resumed["log"][-1]["at"]
    # The time before the resolve counts, the time between resolve and reopen does not.
    used = first["elapsed_seconds"] + seconds_between(reopened_at, resumed["as_of"])
    assert resumed["elapsed_seconds"] == pytest.approx(used, abs=0.1)
    wall_clock = seconds_between(resumed["started_at"], resumed["as_of"])
    assert resumed["elapsed_seconds"] <= wall_clock - GAP
    left = resumed["target_seconds"] - first["elapsed_seconds"]
    assert seconds_between(reopened_at, resumed["due_at"]) == pytest.approx(left, abs=0.01)
    assert resumed["stopped_at"] is None
    wait_for_summary(system, ticket, "SlaClockResumed", "resolution clock resumed")


def test_a_re_route_to_another_tier_hands_the_ola_clock_on(system: RunningSystem) -> None:
    ticket = system.post_alert({"title": "Outlook profile corrupt", "severity": "minor"})
    first = wait_for_clock(system, ticket, "ola:L1")
    eventually(lambda: (system.ticket(ticket) or {}).get("tier") == "L1", 10, "not routed to L1")
    assert (first["policy"], first["target_seconds"]) == ("standard", 3600)

    rerouted = TicketRouted(
        title="Outlook profile corrupt",
        tier="L2",
        team="l2-technical",
        assignee="bob",
        priority=Priority.P3,
        rule="manual re-route to L2",
    )
    publish(system, rerouted, ticket_id=ticket, producer="router")
    second = wait_for_clock(system, ticket, "ola:L2")
    handed_on = find_clock(system, ticket, "ola:L1")
    assert handed_on is not None
    assert handed_on["state"] == "fulfilled"
    assert handed_on["stopped_at"] == second["started_at"]
    assert second["target_seconds"] == 3
    wait_for_summary(system, ticket, "SlaClockStopped", "ola:L1 clock fulfilled")

    # L2 keeps it past its 3 s: its OLA breaches; the SLA clocks ran on untouched.
    wait_for_summary(system, ticket, "SlaBreached", "ola:L2 SLA breached", within=15)
    breached = sla_stream(system, "SlaBreached")
    assert [e.payload["metric"] for e in breached if e.ticket_id == ticket] == ["ola:L2"]
    for metric in ("response", "resolution"):
        clock = find_clock(system, ticket, metric)
        assert clock is not None
        assert clock["state"] == "running"
    staff_post(system, f"/v1/tickets/{ticket}/resolve", resolution="new profile")
    wait_for_clock(system, ticket, "ola:L2", state="fulfilled")


def test_an_escalation_to_the_next_tier_hands_the_ola_clock_on(system: RunningSystem) -> None:
    ticket = system.post_alert({"title": "Mapped drives missing for finance", "severity": "minor"})
    first = wait_for_clock(system, ticket, "ola:L1")
    # The technician escalates: the router moves the chain to its next step, which pages tier L2.
    staff_post(system, f"/v1/tickets/{ticket}/escalate", reason="needs group policy rights")
    second = wait_for_clock(system, ticket, "ola:L2")
    handed_on = find_clock(system, ticket, "ola:L1")
    assert handed_on is not None
    assert handed_on["state"] == "fulfilled"
    assert handed_on["id"] == first["id"]
    assert handed_on["stopped_at"] == second["started_at"]
    wait_for_summary(system, ticket, "SlaClockStopped", "ola:L1 clock fulfilled")


def _open_case(system: RunningSystem, ticket: str, case: str) -> None:
    opened = VendorCaseOpened(vendor="microsoft", case_reference=case, channel="email")
    publish(system, opened, ticket_id=ticket, producer="vendor-gateway")


def test_vendor_case_clocks_run_on_the_vendor_commitment(system: RunningSystem) -> None:
    kept, missed = (
        system.post_alert({"title": f"Teams calls dropping at site {n}", "severity": "minor"})
        for n in (1, 2)
    )
    for ticket in (kept, missed):
        wait_for_clock(system, ticket, "response")
    _open_case(system, kept, f"MS-{kept[:8]}")
    acknowledged = VendorCaseAcknowledged(
        vendor="microsoft", case_reference=f"MS-{kept[:8]}", acknowledged_at=utc_now()
    )
    publish(system, acknowledged, ticket_id=kept, producer="vendor-gateway")
    _open_case(system, missed, f"MS-{missed[:8]}")

    waiting = wait_for_clock(system, missed, "vendor_acknowledgement")
    assert (waiting["vendor"], waiting["case_reference"]) == ("microsoft", f"MS-{missed[:8]}")
    assert (waiting["policy"], waiting["target_seconds"]) == ("vendor:microsoft", 3)
    met = wait_for_clock(system, kept, "vendor_acknowledgement", state="fulfilled")
    for ticket in (kept, missed):
        resolution = wait_for_clock(system, ticket, "vendor_resolution")
        assert resolution["target_seconds"] == 3600
    wait_for_summary(system, missed, "VendorCaseOpened", f"MS-{missed[:8]} opened with microsoft")

    wait_for_summary(system, missed, "SlaBreached", "vendor_acknowledgement SLA breached")
    # The acknowledged case had the same 3 s and stays met after its due time.
    time.sleep(max(0.0, (at(met["due_at"]) - datetime.now(UTC)).total_seconds()) + 1)
    still_met = find_clock(system, kept, "vendor_acknowledgement")
    assert still_met is not None
    assert (still_met["state"], still_met["breached"]) == ("fulfilled", False)
    assert summaries(system, kept, "SlaBreached") == []
    breaches = [
        (e.ticket_id, e.payload["metric"], e.payload["clock_id"])
        for e in sla_stream(system, "SlaBreached")
        if e.ticket_id in (kept, missed)
    ]
    assert breaches == [(missed, "vendor_acknowledgement", waiting["id"])]

    resolved = VendorCaseResolved(
        vendor="microsoft",
        case_reference=f"MS-{kept[:8]}",
        resolved_at=utc_now() - timedelta(seconds=1),
    )
    publish(system, resolved, ticket_id=kept, producer="vendor-gateway")
    done = wait_for_clock(system, kept, "vendor_resolution", state="fulfilled")
    assert at(done["stopped_at"]) == resolved.resolved_at


def test_a_case_read_before_its_ticket_opening_still_gets_vendor_clocks(
    system: RunningSystem,
) -> None:
    """Topics are separate streams with no order between them, so the timer may read a case
    before the ticket's TicketOpened (its tickets consumer running behind); the routing handler
    allows for that order, the vendor clocks should too. The test speaks as intake to hold the
    opening back until the timer has read the case."""
    timer = system.services["sla-timer"]
    ticket = new_id()
    vendor_group = f"{system.namespace.topic_prefix}sla-timer.vendor"
    read_before = metric_sum(timer, "escalator_consumer_messages_total", group=vendor_group)
    _open_case(system, ticket, "MS-EARLY")
    _open_case(system, ticket, "MS-EARLY-ACK")
    acknowledged_at = utc_now()
    acknowledged = VendorCaseAcknowledged(
        vendor="microsoft", case_reference="MS-EARLY-ACK", acknowledged_at=acknowledged_at
    )
    publish(system, acknowledged, ticket_id=ticket, producer="vendor-gateway")
    eventually(
        lambda: (
            metric_sum(timer, "escalator_consumer_messages_total", group=vendor_group)
            >= read_before + 3
        ),
        10,
        "the timer never read the cases",
    )
    opened = TicketOpened(
        title="SharePoint sync stuck",
        source="generic",
        integration="acme-monitoring",
        dedup_key=f"early-case-{ticket}",
        severity=Severity.MINOR,
        priority=Priority.P3,
        opened_at=utc_now(),
    )
    publish(system, opened, ticket_id=ticket, producer="intake")
    wait_for_clock(system, ticket, "response")
    waiting = wait_for_clock(system, ticket, "vendor_acknowledgement", within=5)
    assert waiting["case_reference"] == "MS-EARLY"
    # The case acknowledged before the opening starts with its acknowledgement clock met.
    met = wait_for_clock(system, ticket, "vendor_acknowledgement", state="fulfilled", cycle=1)
    assert met["case_reference"] == "MS-EARLY-ACK"
    assert wait_for_clock(system, ticket, "vendor_resolution", cycle=1)["state"] == "running"
