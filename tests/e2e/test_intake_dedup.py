"""Deduplication through the running system, and the ticket listing people page through."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
import pytest

from tests.e2e.conftest import INTEGRATION, INTEGRATION_TOKEN, STAFF_TOKEN, RunningSystem
from tests.harness.isolation import unique_suffix
from tests.harness.waiting import eventually

pytestmark = pytest.mark.e2e

KEYS = 50
REPEATS = 20
STAFF = {"Authorization": f"Bearer {STAFF_TOKEN}"}


def _post_all(system: RunningSystem, bodies: list[dict[str, Any]]) -> None:
    url = f"{system.services['intake'].url}/v1/webhooks/{INTEGRATION}"
    headers = {"Authorization": f"Bearer {INTEGRATION_TOKEN}"}

    def post_chunk(chunk: list[dict[str, Any]]) -> None:
        with httpx.Client(timeout=30) as client:
            for body in chunk:
                assert client.post(url, json=body, headers=headers).status_code == 202

    chunks = [bodies[i::8] for i in range(8)]
    with ThreadPoolExecutor(max_workers=8) as pool:
        list(pool.map(post_chunk, chunks))


def test_a_thousand_alerts_on_fifty_keys_make_fifty_tickets_and_their_resolves_close_them(
    system: RunningSystem,
) -> None:
    prefix = f"storm-{unique_suffix()}"
    keys = [f"{prefix}-{k}" for k in range(KEYS)]
    # info severity: P5, a long response target, so no breach mail floods the sink.
    firing = [
        {"title": f"Disk alert {k}", "severity": "info", "dedup_key": key}
        for k, key in enumerate(keys)
        for _ in range(REPEATS)
    ]
    _post_all(system, firing)

    def all_counted() -> bool:
        mine = [t for t in system.tickets(integration=INTEGRATION) if t["dedup_key"] in keys]
        return len(mine) >= KEYS and all(t["alert_count"] == REPEATS for t in mine)

    eventually(all_counted, 60, f"{KEYS} tickets with {REPEATS} alerts each did not appear")
    mine = [t for t in system.tickets(integration=INTEGRATION) if t["dedup_key"] in keys]
    assert len(mine) == KEYS
    assert sorted(t["dedup_key"] for t in mine) == sorted(keys)

    _post_all(system, [{"title": "recovered", "status": "resolved", "dedup_key": k} for k in keys])

    def all_resolved() -> bool:
        resolved = system.tickets(integration=INTEGRATION, status="resolved")
        return len([t for t in resolved if t["dedup_key"] in keys]) == KEYS

    eventually(all_resolved, 60, "the resolves did not close all tickets")
    for ticket in system.tickets(dedup_key=keys[0]):
        assert ticket["resolved_by"] == INTEGRATION


def test_listing_filters_and_pages_without_gaps_or_repeats(system: RunningSystem) -> None:
    critical = system.post_alert({"title": "Core router down", "severity": "critical"})
    system.wait_for_ticket(critical, until="TicketRouted")
    everyone = system.tickets()
    ids = [t["id"] for t in everyone]
    assert len(ids) == len(set(ids))
    opened = [t["opened_at"] for t in everyone]
    assert opened == sorted(opened, reverse=True)
    l2 = system.tickets(tier="L2")
    assert critical in {t["id"] for t in l2}
    assert all(t["tier"] == "L2" for t in l2)
    both = system.tickets(tier=["L1", "L2"])
    assert {t["id"] for t in both} >= {t["id"] for t in l2}


def test_a_forged_cursor_is_refused(system: RunningSystem) -> None:
    response = httpx.get(
        f"{system.services['intake'].url}/v1/tickets",
        params={"cursor": "not-a-cursor"},
        headers=STAFF,
    )
    assert response.status_code == 400
    assert response.json()["error"] == "invalid_cursor"
