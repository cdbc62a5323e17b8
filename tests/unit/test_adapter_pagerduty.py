"""The PagerDuty Events API v2 adapter against PagerDuty's sample events."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from escalator_intake.adapters.base import PayloadError, derived_dedup_key
from escalator_intake.adapters.pagerduty import PagerDutyAdapter
from escalator_intake.domain.canonical import resolve_client, resolve_severity
from escalator_shared.config import Integration
from escalator_shared.events import AlertStatus, Severity

PAYLOADS = Path(__file__).parent.parent / "fixtures" / "payloads"
INTEGRATION = Integration(
    id="initech-pd",
    type="pagerduty",
    token="R0123456789abcdef0123456789abcd",
    client="fallback",
    client_label="client",
    clients=["acme", "initech"],
)
PD = PagerDutyAdapter()
KEY = "initech/core-sw01/port-flap"


def load(name: str) -> Any:
    return json.loads((PAYLOADS / name).read_text())


def test_trigger_maps_payload_and_custom_details() -> None:
    (alert,) = PD.parse(load("pagerduty-events-v2-trigger.json"))
    assert alert.dedup_key == alert.external_id == KEY
    assert alert.status is AlertStatus.FIRING
    assert alert.title == "Interface Gi1/0/24 flapping on core-sw01"
    assert alert.device == "core-sw01.initech.example"
    assert resolve_severity(alert.raw_severity, PD.default_severities, INTEGRATION) is (
        Severity.MAJOR
    )
    assert alert.occurred_at == datetime(2026, 11, 20, 11, 45, 10, tzinfo=UTC)
    assert alert.labels == {
        "client": "initech",
        "interface": "Gi1/0/24",
        "flaps_last_5m": "14",
        "component": "switch",
        "group": "network",
        "class": "link",
        "source": "core-sw01.initech.example",
    }
    assert alert.links == ("https://nms.initech.example/devices/core-sw01",)
    assert alert.details == {
        "custom_details": {"client": "initech", "interface": "Gi1/0/24", "flaps_last_5m": 14}
    }
    assert resolve_client(alert, INTEGRATION) == "initech"


def test_resolve_shares_the_trigger_dedup_key() -> None:
    (alert,) = PD.parse(load("pagerduty-events-v2-resolve.json"))
    assert alert.dedup_key == KEY
    assert alert.status is AlertStatus.RESOLVED
    assert alert.title == f"PagerDuty resolve for {KEY}"
    assert (alert.labels, alert.links, alert.details, alert.occurred_at) == ({}, (), {}, None)


def test_acknowledge_and_extras() -> None:
    body = {**load("pagerduty-events-v2-resolve.json"), "event_action": "acknowledge"}
    assert PD.parse(body)[0].status is AlertStatus.ACKNOWLEDGED
    trigger = load("pagerduty-events-v2-trigger.json")
    trigger["images"] = [{"src": "https://nms.initech.example/graph.png"}]
    trigger["client"] = "NMS"
    trigger["payload"]["custom_details"] = {"nested": {"a": 1}, "up": True, "ratio": 0.5}
    trigger["payload"]["severity"] = "CRITICAL"
    (alert,) = PD.parse(trigger)
    assert alert.details == {
        "images": [{"src": "https://nms.initech.example/graph.png"}],
        "client": "NMS",
        "custom_details": {"nested": {"a": 1}, "up": True, "ratio": 0.5},
    }
    assert alert.labels["up"] == "true"
    assert alert.labels["ratio"] == "0.5"
    assert "nested" not in alert.labels
    assert "routing_key" not in alert.details
    assert resolve_severity(alert.raw_severity, PD.default_severities, INTEGRATION) is (
        Severity.CRITICAL
    )


def test_trigger_without_dedup_key_derives_one_from_source_and_summary() -> None:
    body = load("pagerduty-events-v2-trigger.json")
    del body["dedup_key"]
    (alert,) = PD.parse(body)
    assert alert.dedup_key == derived_dedup_key(
        "core-sw01.initech.example", "Interface Gi1/0/24 flapping on core-sw01"
    )
    assert alert.external_id is None


def _trigger(fields: dict[str, Any] | None = None, **event: Any) -> dict[str, Any]:
    body: dict[str, Any] = load("pagerduty-events-v2-trigger.json")
    body["payload"].update(fields or {})
    body.update(event)
    return body


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ([], "(body)"),
        ("trigger", "(body)"),
        ({}, "event_action"),
        (_trigger(event_action="Trigger"), "event_action"),
        (_trigger(event_action="escalate"), "event_action"),
        (_trigger(event_action=["trigger"]), "event_action"),
        (_trigger(dedup_key=""), "dedup_key"),
        (_trigger(dedup_key="k" * 256), "dedup_key"),
        (_trigger(dedup_key=42), "dedup_key"),
        ({"routing_key": "R", "event_action": "resolve"}, "dedup_key"),
        ({"event_action": "acknowledge", "dedup_key": None}, "dedup_key"),
        (_trigger(payload=None), "payload"),
        ({"event_action": "trigger"}, "payload"),
        (_trigger(payload="summary"), "payload"),
        (_trigger({"summary": None}), "payload.summary"),
        (_trigger({"summary": ""}), "payload.summary"),
        (_trigger({"summary": "s" * 1025}), "payload.summary"),
        (_trigger({"summary": ["s"]}), "payload.summary"),
        (_trigger({"source": None}), "payload.source"),
        (_trigger({"severity": None}), "payload.severity"),
        (_trigger({"severity": "major"}), "payload.severity"),
        (_trigger({"timestamp": "20 Nov 2026"}), "payload.timestamp"),
        (_trigger({"component": 5}), "payload.component"),
        (_trigger(links={"href": "x"}), "links"),
        (_trigger(links=["https://x"]), "links[0]"),
        (_trigger(links=[{"text": "x"}]), "links[0].href"),
        (_trigger(links=[{"href": 1}]), "links[0].href"),
    ],
)
def test_bad_events_name_the_field(body: Any, field: str) -> None:
    with pytest.raises(PayloadError) as caught:
        PD.parse(body)
    assert caught.value.field == field
