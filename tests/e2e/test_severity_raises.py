"""A joining or repeating alert of higher severity raises its ticket's priority (issue 21, item
10): on the timeline, with the SLA clocks retargeted and the ticket routed again; never lowered."""

from __future__ import annotations

from typing import Any

import pytest

from tests.e2e.conftest import RunningSystem
from tests.e2e.notifier_system import deliveries
from tests.e2e.sla_clock_api import (
    at,
    both_policies,
    find_clock,
    seconds_between,
    summaries,
    wait_for_clock,
    wait_for_summary,
)
from tests.harness.isolation import unique_suffix
from tests.harness.waiting import eventually

pytestmark = pytest.mark.e2e

# Long targets that differ by priority, so a raise moves the due time and nothing breaches.
RESPONSE = {"P1": "30m", "P2": "2h", "P3": "4h", "P4": "8h", "P5": "8h"}
RESOLUTION = {"P1": "4h", "P2": "8h", "P3": "24h", "P4": "72h", "P5": "72h"}


@pytest.fixture(scope="module")
def config_overrides() -> dict[str, Any]:
    """Both example policies with these targets."""
    return both_policies(RESPONSE, RESOLUTION)


def _wait_for(system: RunningSystem, ticket_id: str, what: str, **fields: Any) -> dict[str, Any]:
    def showing() -> dict[str, Any] | None:
        view = system.ticket(ticket_id)
        return view if view and all(view[k] == v for k, v in fields.items()) else None

    found: dict[str, Any] = eventually(
        showing, 30, f"ticket {ticket_id}: {what}", detail=lambda: str(system.ticket(ticket_id))
    )
    return found


def test_a_critical_alert_joining_a_p2_ticket_raises_it_to_p1_and_routes_it_again(
    system: RunningSystem,
) -> None:
    device = f"sw-core-{unique_suffix()}"
    ticket = system.post_alert(
        {"title": "Uplink errors", "severity": "major", "device": device, "dedup_key": device}
    )
    system.wait_for_ticket(ticket, until="EscalationStepReached")
    before = wait_for_clock(system, ticket, "response")
    assert (before["priority"], before["target_seconds"]) == ("P2", 2 * 3600)

    joined = system.post_alert(
        {
            "title": "Core switch down",
            "severity": "critical",
            "device": device,
            "dedup_key": f"{device}-down",
        }
    )
    assert joined != ticket  # the alert's own id; it joins the device's ticket
    view = _wait_for(system, ticket, "not raised to P1 and routed to L2", priority="P1", tier="L2")
    assert view["alert_count"] == 2
    line = wait_for_summary(system, ticket, "TicketPriorityChanged", "P2 → P1")
    assert "critical" in line, line

    # The response clock keeps the time used and gets P1's 30 minutes: due 30 min after it began.
    def retargeted() -> dict[str, Any] | None:
        clock = find_clock(system, ticket, "response")
        return clock if clock and clock["target_seconds"] == 30 * 60 else None

    clock = eventually(retargeted, 20, "the response clock was not retargeted to P1's target")
    assert clock["state"] == "running"
    assert abs(seconds_between(before["due_at"], clock["due_at"]) + 90 * 60) < 2, clock
    eventually(
        lambda: at(system.ticket(ticket)["sla"]["response"]["due_at"]) == at(clock["due_at"]),  # type: ignore[index]
        20,
        "the ticket does not show the response clock's new due time",
    )

    # Routed again by the P1 rule: its policy pages L2 and L3 at once (Erin is L3's on-call).
    routed = summaries(system, ticket, "TicketRouted")
    assert any("rule critical-to-l2" in r and "priority P1" in r for r in routed), routed
    eventually(
        lambda: [d for d in deliveries(system, ticket) if d["recipient"] == "erin"],
        30,
        "L3 was not paged for the P1 ticket",
        detail=lambda: str(deliveries(system, ticket)),
    )

    # A lesser alert later never lowers it.
    system.post_alert(
        {
            "title": "Fan speed low",
            "severity": "warning",
            "device": device,
            "dedup_key": f"{device}-fan",
        }
    )
    view = _wait_for(system, ticket, "the third alert did not join", alert_count=3)
    assert view["priority"] == "P1"
    assert len(summaries(system, ticket, "TicketPriorityChanged")) == 1


def test_a_repeating_alert_whose_severity_rose_raises_its_ticket(system: RunningSystem) -> None:
    key = f"ups-{unique_suffix()}"
    body = {"title": "UPS on battery", "dedup_key": key}
    ticket = system.post_alert({**body, "severity": "minor"})
    system.wait_for_ticket(ticket, until="EscalationStepReached")
    assert wait_for_clock(system, ticket, "response")["target_seconds"] == 4 * 3600

    system.post_alert({**body, "severity": "major"})
    _wait_for(system, ticket, "not raised to P2", priority="P2", alert_count=2)
    wait_for_summary(system, ticket, "TicketPriorityChanged", "P3 → P2")
    eventually(
        lambda: (find_clock(system, ticket, "response") or {}).get("target_seconds") == 2 * 3600,
        20,
        "the response clock was not retargeted to P2's target",
    )
