"""A ticket that keeps flapping pages again once a flap window has passed since its last
flapping page, and never sooner (issue 21, item 11)."""

from __future__ import annotations

import time
from datetime import datetime
from itertools import pairwise
from typing import Any

import pytest

from tests.e2e.conftest import RunningSystem
from tests.e2e.sla_clock_api import both_policies, timeline
from tests.e2e.test_flapping_pages import LONG, _pages, _send, _settled
from tests.harness.isolation import unique_suffix
from tests.harness.waiting import eventually

pytestmark = pytest.mark.e2e

WINDOW = 8.0


@pytest.fixture(scope="module")
def config_overrides() -> dict[str, Any]:
    """Long SLA targets; flapping after two reopens, in an eight-second window."""
    return {
        **both_policies(LONG, LONG),
        "storms": {"group_window": "10m", "flap_window": f"{WINDOW:g}s", "flap_threshold": 2},
    }


def test_a_ticket_flapping_for_longer_than_its_window_pages_once_per_window(
    system: RunningSystem,
) -> None:
    key = f"vpn-{unique_suffix()}"
    fire = {"title": "VPN tunnel down", "severity": "minor", "dedup_key": key}  # P3: Alice only
    clear = {"title": "VPN tunnel down", "status": "resolved", "dedup_key": key}
    cycles = 12
    for _ in range(cycles):  # a cycle a second or so: about 24 s of flapping, three windows
        _send(system, [fire])
        time.sleep(1)
        _send(system, [clear])
        time.sleep(1)
    ticket = _settled(system, key, alert_count=cycles, flap_count=cycles - 1)

    def asked() -> list[datetime]:
        """When intake asked for a flapping page: the reopen that made it flapping, then the
        escalation requests of the condition's returns."""
        return [
            datetime.fromisoformat(e["at"])
            for e in timeline(system, ticket["id"])
            if e["event"] in ("TicketReopened", "EscalationRequested")
            and "flapping: reopened" in e["summary"]
        ]

    paged_at = eventually(lambda: len(asked()) >= 2 and asked(), 20, "no second flapping page")
    gaps = [(b - a).total_seconds() for a, b in pairwise(paged_at)]
    assert all(gap >= WINDOW - 0.05 for gap in gaps), gaps
    # Opened, reopened once, then only the flapping pages: one each, to Alice.
    eventually(
        lambda: _pages(system, ticket["id"]) == {"alice": 2 + len(paged_at)},
        20,
        "the flapping pages did not reach Alice",
        lambda: str(_pages(system, ticket["id"])),
    )
    mails = system.smtp.matching("flapping: reopened", to="alice@msp.example")
    assert len(mails) == len(paged_at), [m["Subject"] for m in mails]
