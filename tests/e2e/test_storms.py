"""Alert storms become one ticket per device; flapping folds into one ticket and stays open."""

from __future__ import annotations

import time
from typing import Any

import httpx
import pytest

from tests.e2e.conftest import INTEGRATION, INTEGRATION_TOKEN, STAFF_TOKEN, RunningSystem
from tests.harness.isolation import unique_suffix
from tests.harness.waiting import eventually

pytestmark = pytest.mark.e2e

STAFF = {"Authorization": f"Bearer {STAFF_TOKEN}"}


def _send(
    system: RunningSystem,
    bodies: list[dict[str, Any]],
    integration: str = INTEGRATION,
    token: str = INTEGRATION_TOKEN,
) -> None:
    url = f"{system.services['intake'].url}/v1/webhooks/{integration}"
    with httpx.Client(timeout=10) as client:
        for body in bodies:
            answer = client.post(url, json=body, headers={"Authorization": f"Bearer {token}"})
            assert answer.status_code == 202, answer.text


def test_a_storm_on_one_device_is_one_ticket_that_resolves_when_every_alert_has(
    system: RunningSystem,
) -> None:
    device = f"srv-storm-{unique_suffix()}"
    keys = [f"{device}-check-{n}" for n in range(10)]
    _send(
        system,
        [
            {
                "title": f"check {n % 10} failing",
                "severity": "info",
                "device": device,
                "dedup_key": keys[n % 10],
            }
            for n in range(30)
        ],
    )
    mine = eventually(
        lambda: [
            t
            for t in system.tickets(client="acme")
            if t["device"] == device and t["alert_count"] == 30
        ],
        30,
        "the storm did not fold into one ticket of 30 alerts",
    )
    assert len([t for t in system.tickets(client="acme") if t["device"] == device]) == 1
    ticket = mine[0]

    _send(system, [{"title": "ok", "status": "resolved", "dedup_key": k} for k in keys[:9]])
    time.sleep(2)
    assert system.ticket(ticket["id"])["status"] == "new"  # type: ignore[index]
    _send(system, [{"title": "ok", "status": "resolved", "dedup_key": keys[9]}])
    eventually(
        lambda: system.ticket(ticket["id"])["status"] == "resolved",  # type: ignore[index]
        30,
        "the storm ticket did not resolve after its last alert",
    )


def test_a_flapping_condition_keeps_one_ticket_and_is_left_open_for_a_technician(
    system: RunningSystem,
) -> None:
    key = f"flap-{unique_suffix()}"
    fire = {"title": "Link flapping", "severity": "info", "dedup_key": key}
    clear = {"title": "Link flapping", "status": "resolved", "dedup_key": key}
    _send(system, [fire, clear, fire, clear, fire, clear, fire, clear])  # one partition, in order

    def settled() -> dict[str, Any] | None:
        found = system.tickets(dedup_key=key)
        if len(found) == 1 and found[0]["flap_count"] == 3 and found[0]["recovered_at"]:
            return found[0]
        return None

    ticket = eventually(settled, 30, "the flapping ticket did not settle")
    assert ticket["status"] == "new"  # flapping: recovery did not resolve it
    assert ticket["alert_count"] == 4
    view = system.wait_for_ticket(ticket["id"], until="TicketUpdated")
    reasons = [e["summary"] for e in view["timeline"] if e["event"] == "TicketReopened"]
    assert len(reasons) == 3
    assert reasons[1].endswith("within the flap window, 2 time(s)")
    assert reasons[-1].endswith("flapping: reopened 3 times in the last 30 minutes")


def test_a_client_that_wants_recoveries_flagged_keeps_the_ticket_open(
    system: RunningSystem,
) -> None:
    key = f"globex-{unique_suffix()}"
    _send(
        system,
        [
            {"title": "UPS on battery", "severity": "info", "dedup_key": key},
            {"title": "UPS on battery", "status": "resolved", "dedup_key": key},
        ],
        integration="globex-monitoring",
        token="dev-token-globex-monitoring",
    )
    ticket = eventually(
        lambda: [t for t in system.tickets(dedup_key=key) if t["recovered_at"]],
        30,
        "the recovery was not flagged",
    )[0]
    assert (ticket["client_id"], ticket["status"]) == ("globex", "new")


def test_a_condition_firing_again_on_its_still_open_ticket_joins_it(
    system: RunningSystem,
) -> None:
    # The recovery left the ticket open (flagged); the condition's key was marked recovered. The
    # next firing used to open a second ticket, which the one-open-ticket-per-key constraint
    # refused: retried, then dead-lettered, an accepted alert lost (found by `make fuzz`).
    key = f"globex-{unique_suffix()}"
    firing = {"title": "UPS on battery", "severity": "info", "dedup_key": key}
    recovered = {"title": "UPS on battery", "status": "resolved", "dedup_key": key}
    sender = {"integration": "globex-monitoring", "token": "dev-token-globex-monitoring"}
    _send(system, [firing, recovered], **sender)
    eventually(
        lambda: [t for t in system.tickets(dedup_key=key) if t["recovered_at"]],
        30,
        "the recovery was not flagged",
    )
    _send(system, [firing], **sender)
    (ticket,) = eventually(
        lambda: [t for t in system.tickets(dedup_key=key) if t["alert_count"] == 2],
        30,
        "the alert did not join its open ticket",
    )
    assert ticket["status"] == "new"
    assert len(system.tickets(dedup_key=key)) == 1
