"""A watched integration that falls silent opens a ticket; its next ping resolves it."""

from __future__ import annotations

import time
from typing import Any

import httpx
import pytest

from tests.e2e.conftest import (
    HEARTBEAT_INTEGRATION,
    HEARTBEAT_TOKEN,
    INTEGRATION,
    INTEGRATION_TOKEN,
    RunningSystem,
)
from tests.harness.waiting import eventually

pytestmark = pytest.mark.e2e

DEDUP_KEY = f"heartbeat:{HEARTBEAT_INTEGRATION}"


def _ping(system: RunningSystem, integration: str, token: str) -> httpx.Response:
    return httpx.post(
        f"{system.services['intake'].url}/v1/heartbeats/{integration}",
        headers={"Authorization": f"Bearer {token}"},
    )


def _silence_tickets(system: RunningSystem, status: str) -> list[dict[str, Any]]:
    return system.tickets(dedup_key=DEDUP_KEY, status=status)


def test_silence_opens_a_ticket_and_the_next_ping_resolves_it(system: RunningSystem) -> None:
    # While pings keep coming, nothing stays open.
    for _ in range(5):
        assert _ping(system, HEARTBEAT_INTEGRATION, HEARTBEAT_TOKEN).status_code == 200
        time.sleep(1)
    eventually(lambda: not _silence_tickets(system, "new"), 10, "an open silence ticket remained")

    # Silence: after the 3 s period a ticket opens.
    opened = eventually(lambda: _silence_tickets(system, "new"), 20, "no silence ticket opened")
    assert len(opened) == 1
    assert (
        opened[0]["title"]
        == f"{HEARTBEAT_INTEGRATION} stopped reporting (no heartbeat for 0.05 min)"
    )
    assert opened[0]["source"] == "heartbeat"

    # The next ping resolves it.
    answer = _ping(system, HEARTBEAT_INTEGRATION, HEARTBEAT_TOKEN)
    assert answer.status_code == 200
    assert "next_expected_by" in answer.json()
    eventually(
        lambda: opened[0]["id"] in {t["id"] for t in _silence_tickets(system, "resolved")},
        15,
        "the silence ticket was not resolved",
    )


def test_heartbeats_need_the_token_and_a_configured_period(system: RunningSystem) -> None:
    assert _ping(system, HEARTBEAT_INTEGRATION, "wrong-token-123").status_code == 401
    unwatched = _ping(system, INTEGRATION, INTEGRATION_TOKEN)
    assert unwatched.status_code == 404
    assert unwatched.json()["error"] == "no_heartbeat"
