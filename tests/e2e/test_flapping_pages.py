"""A flapping ticket keeps every alert and pages at most once per flap window, saying so
(issue 21, item 11)."""

from __future__ import annotations

import time
from collections import Counter
from typing import Any

import httpx
import pytest

from tests.e2e.conftest import INTEGRATION, INTEGRATION_TOKEN, RunningSystem
from tests.e2e.notifier_system import deliveries
from tests.e2e.sla_clock_api import both_policies, staff_post, summaries, wait_for_summary
from tests.harness.isolation import unique_suffix
from tests.harness.waiting import eventually

pytestmark = pytest.mark.e2e

# Long targets: no SLA warning or breach pages mix with the ones counted here.
LONG = {"P1": "8h", "P2": "8h", "P3": "8h", "P4": "8h", "P5": "8h"}
FLAPPING_PAGE = "flapping: reopened 3 times in the last 30 minutes"


@pytest.fixture(scope="module")
def config_overrides() -> dict[str, Any]:
    """Both example policies with long targets (the default storms: 30 min window, 3 flaps)."""
    return both_policies(LONG, LONG)


def _send(system: RunningSystem, bodies: list[dict[str, Any]]) -> None:
    url = f"{system.services['intake'].url}/v1/webhooks/{INTEGRATION}"
    with httpx.Client(timeout=10) as client:
        for body in bodies:
            answer = client.post(
                url, json=body, headers={"Authorization": f"Bearer {INTEGRATION_TOKEN}"}
            )
            assert answer.status_code == 202, answer.text


def _pages(system: RunningSystem, ticket_id: str) -> Counter[str]:
    """First pages (not their repeats) of the ticket's escalation steps, per person."""
    return Counter(
        d["recipient"]
        for d in deliveries(system, ticket_id)
        if d["kind"] in ("assigned", "escalated") and d["repeat"] == 0
    )


def _settled(system: RunningSystem, key: str, **fields: Any) -> dict[str, Any]:
    def showing() -> dict[str, Any] | None:
        found = system.tickets(dedup_key=key)
        if len(found) == 1 and all(found[0][k] == v for k, v in fields.items()):
            return found[0]
        return None

    ticket: dict[str, Any] = eventually(
        showing,
        30,
        f"the flapping ticket did not reach {fields}",
        lambda: str(system.tickets(dedup_key=key)),
    )
    return ticket


def test_once_flapping_reopens_update_the_ticket_and_page_once_per_window(
    system: RunningSystem,
) -> None:
    key = f"link-{unique_suffix()}"
    fire = {"title": "WAN link down", "severity": "major", "dedup_key": key}  # P2: the backup too
    clear = {"title": "WAN link down", "status": "resolved", "dedup_key": key}
    # Opened, reopened twice (each pages), the third reopen makes it flapping (pages once, saying
    # so); recovered, it stays open, and the condition returns twice more.
    _send(system, [fire, clear] * 6)  # one dedup key: one partition, handled in order
    ticket = _settled(system, key, alert_count=6, flap_count=5)
    assert (ticket["status"], ticket["priority"]) == ("new", "P2")
    assert ticket["recovered_at"]
    wait_for_summary(system, ticket["id"], "TicketUpdated", "flapping: reopened 5 times")

    pages = {"alice": 4, "bob": 4}  # assigned, reopened twice, flapping once
    eventually(
        lambda: _pages(system, ticket["id"]) == pages,
        30,
        "the pages did not arrive",
        lambda: str(_pages(system, ticket["id"])),
    )
    for person in ("alice", "bob"):
        mails = system.smtp.wait_for(FLAPPING_PAGE, within=20, to=f"{person}@msp.example")
        assert len(mails) == 1
        assert "(flapping)" in mails[0]["Subject"]

    # A technician resolves it; the condition returns within the window: reopened, not paged.
    staff_post(system, f"/v1/tickets/{ticket['id']}/resolve", resolution="replaced the SFP")
    _settled(system, key, status="resolved")
    _send(system, [fire])
    wait_for_summary(system, ticket["id"], "TicketReopened", "flapping: reopened 6 times")
    _settled(system, key, status="new", alert_count=7)
    time.sleep(3)  # the pages it would have caused arrive within this on a loaded machine
    assert _pages(system, ticket["id"]) == pages
    steps = summaries(system, ticket["id"], "EscalationStepReached")
    assert len(steps) == 4, steps
