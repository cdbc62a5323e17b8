"""Every sample sender body through the running system: the right ticket opens and closes."""

from __future__ import annotations

import hashlib
import hmac
import json
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.e2e.conftest import RunningSystem
from tests.harness.waiting import eventually

pytestmark = pytest.mark.e2e

PAYLOADS = Path(__file__).parents[1] / "fixtures" / "payloads"


def _sample(name: str) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads((PAYLOADS / name).read_text())
    return loaded


def _wait_for_ticket(system: RunningSystem, dedup_key: str, status: str) -> dict[str, Any]:
    found = eventually(
        lambda: system.tickets(dedup_key=dedup_key, status=status),
        20,
        f"no {status} ticket for {dedup_key}",
    )
    return found[0]


def _post(system: RunningSystem, path: str, body: dict[str, Any], **headers: str) -> httpx.Response:
    return httpx.post(f"{system.services['intake'].url}{path}", json=body, headers=headers)


@pytest.mark.parametrize(
    ("integration", "opening", "closing", "dedup_key", "client", "title"),
    [
        (
            "zabbix",
            "zabbix-webhook-problem.json",
            "zabbix-webhook-recovery.json",
            "zabbix:50213",
            "initech",  # the event tag client:initech names a configured client
            "MySQL is down on db02",
        ),
        (
            "ninjaone",
            "ninjaone-condition-triggered.json",
            "ninjaone-condition-reset.json",
            "ninjaone:7f3c2a10-5b8e-4c8e-9a51-0d2f6b1e9a77",
            "acme",
            "Disk space below 5% on ACME-DC01 (C:)",
        ),
    ],
)
def test_a_problem_and_its_recovery_open_and_close_one_ticket(
    system: RunningSystem,
    integration: str,
    opening: str,
    closing: str,
    dedup_key: str,
    client: str,
    title: str,
) -> None:
    token = {"Authorization": "Bearer dev-token-ninjaone"} if integration == "ninjaone" else {}
    # Zabbix carries its token in the body; NinjaOne sends it as a header.
    assert (
        _post(system, f"/v1/webhooks/{integration}", _sample(opening), **token).status_code == 202
    )
    ticket = _wait_for_ticket(system, dedup_key, "new")
    assert (ticket["client_id"], ticket["title"]) == (client, title)
    assert (
        _post(system, f"/v1/webhooks/{integration}", _sample(closing), **token).status_code == 202
    )
    assert _wait_for_ticket(system, dedup_key, "resolved")["id"] == ticket["id"]


def test_pagerduty_compatible_senders_trigger_and_resolve_by_dedup_key(
    system: RunningSystem,
) -> None:
    trigger = _post(system, "/v2/enqueue", _sample("pagerduty-events-v2-trigger.json"))
    assert trigger.status_code == 202
    assert trigger.json() == {
        "status": "success",
        "message": "Event processed",
        "dedup_key": "initech/core-sw01/port-flap",
    }
    ticket = _wait_for_ticket(system, "initech/core-sw01/port-flap", "new")
    assert ticket["title"] == "Interface Gi1/0/24 flapping on core-sw01"
    assert ticket["priority"] == "P2"  # error → major → P2
    resolve = _post(system, "/v2/enqueue", _sample("pagerduty-events-v2-resolve.json"))
    assert resolve.status_code == 202
    assert _wait_for_ticket(system, "initech/core-sw01/port-flap", "resolved")["id"] == ticket["id"]
    unknown = _post(system, "/v2/enqueue", {"routing_key": "nope", "event_action": "trigger"})
    assert unknown.status_code == 400
    invalid = _post(
        system,
        "/v2/enqueue",
        {"routing_key": "R0123456789abcdef0123456789abcd", "event_action": "trigger"},
    )
    assert invalid.status_code == 400
    assert invalid.json()["status"] == "invalid event"
    assert invalid.json()["errors"] == [
        "the alert is not valid: payload: required field is missing"
    ]
    assert invalid.json()["rejected_id"]


def test_grafana_needs_a_valid_signature(system: RunningSystem) -> None:
    raw = (PAYLOADS / "grafana-alerting-firing.json").read_bytes()
    signature = hmac.new(b"grafana-signing-secret", raw, hashlib.sha256).hexdigest()
    url = f"{system.services['intake'].url}/v1/webhooks/globex-grafana"
    auth = {"Authorization": "Bearer dev-token-globex-grafana", "Content-Type": "application/json"}
    unsigned = httpx.post(url, content=raw, headers=auth)
    assert unsigned.status_code == 401
    assert unsigned.json()["error"] == "invalid_signature"
    forged = httpx.post(
        url, content=raw, headers={**auth, "X-Grafana-Alerting-Signature": "00" * 32}
    )
    assert forged.status_code == 401
    signed = httpx.post(
        url, content=raw, headers={**auth, "X-Grafana-Alerting-Signature": signature}
    )
    assert signed.status_code == 202, signed.text
    ticket = _wait_for_ticket(system, "57c6d9296de2ad39", "new")
    assert ticket["client_id"] == "globex"
    assert ticket["title"] == "CPU above 95% for 10 minutes on sql01"


def test_datto_maps_its_site_to_the_client(system: RunningSystem) -> None:
    body = _sample("datto-rmm-alert.json")
    answer = _post(system, "/v1/webhooks/datto?token=dev-token-datto", body)
    assert answer.status_code == 202
    ticket = _wait_for_ticket(system, "datto:c2b9e7a4-1f0d-4a63-8e7a-2b5d9f0c1e33", "new")
    assert ticket["client_id"] == "globex"
    assert ticket["priority"] == "P2"  # High → major → P2
    assert ticket["device"] == "GLOBEX-WS-114"
