"""The NinjaOne adapter against NinjaOne's condition activities."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from escalator_intake.adapters.base import PayloadError
from escalator_intake.adapters.ninjaone import NinjaOneAdapter
from escalator_intake.domain.canonical import resolve_client, resolve_severity
from escalator_shared.config import Integration
from escalator_shared.events import AlertStatus, Severity

PAYLOADS = Path(__file__).parent.parent / "fixtures" / "payloads"
INTEGRATION = Integration(
    id="ninja",
    type="ninjaone",
    token="dev-token-ninja1",
    client="fallback",
    client_label="organization",
    clients_by_value={"ACME Corp": "acme"},
)
NINJA = NinjaOneAdapter()
SERIES_KEY = "ninjaone:7f3c2a10-5b8e-4c8e-9a51-0d2f6b1e9a77"
DEVICE = {
    "id": 4411,
    "systemName": "ACME-DC01",
    "nodeClass": "WINDOWS_SERVER",
    "organizationId": 12,
    "organizationName": "ACME Corp",
}


def load(name: str) -> Any:
    return json.loads((PAYLOADS / name).read_text())


def test_triggered_condition() -> None:
    (alert,) = NINJA.parse(load("ninjaone-condition-triggered.json"))
    assert alert.dedup_key == SERIES_KEY
    assert alert.external_id == "918273"
    assert alert.status is AlertStatus.FIRING
    assert alert.title == "Disk space below 5% on ACME-DC01 (C:)"
    assert alert.description == "Drive C: has 3.8 GB free of 120 GB"
    assert alert.device == "ACME-DC01"
    assert resolve_severity(alert.raw_severity, NINJA.default_severities, INTEGRATION) is (
        Severity.CRITICAL
    )
    assert alert.labels == {
        "organization": "ACME Corp",
        "node_class": "WINDOWS_SERVER",
        "source": "Disk Space Check",
        "priority": "HIGH",
        "device_id": "4411",
    }
    assert alert.error_codes == ("disk_free_low",)
    assert alert.occurred_at == datetime(2025, 11, 20, 12, 0, tzinfo=UTC)
    assert alert.details == {
        "activityType": "CONDITION",
        "statusCode": "TRIGGERED",
        "status": "TRIGGERED",
        "activityResult": "SUCCESS",
        "sourceConfigUid": "0b1c2d3e-4f50-6172-8394-a5b6c7d8e9f0",
        "type": "CONDITION",
        "data": {
            "message": {"code": "disk_free_low", "params": {"drive": "C:", "freePercent": "3.2"}}
        },
        "device": DEVICE,
    }
    assert resolve_client(alert, INTEGRATION) == "acme"


def test_reset_shares_the_series_key() -> None:
    (alert,) = NINJA.parse(load("ninjaone-condition-reset.json"))
    assert alert.dedup_key == SERIES_KEY
    assert alert.status is AlertStatus.RESOLVED
    assert alert.title == "Disk space recovered on ACME-DC01 (C:)"
    assert alert.error_codes == ()
    assert alert.occurred_at == datetime(2025, 11, 20, 13, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("changes", "status"),
    [
        ({"status": "ACKNOWLEDGED"}, AlertStatus.ACKNOWLEDGED),
        ({"status": "reset"}, AlertStatus.RESOLVED),
        ({"type": "ACTION", "activityType": "ACTION", "status": "COMPLETED"}, AlertStatus.FIRING),
        ({"type": "SYSTEM", "activityType": "SYSTEM", "status": None}, AlertStatus.FIRING),
    ],
)
def test_statuses(changes: dict[str, Any], status: AlertStatus) -> None:
    body = {**load("ninjaone-condition-triggered.json"), **changes}
    assert NINJA.parse(body)[0].status is status


def test_fallbacks_without_series_subject_or_device() -> None:
    body = load("ninjaone-condition-triggered.json")
    for key in ("seriesUid", "subject", "device", "data", "severity"):
        del body[key]
    (alert,) = NINJA.parse(body)
    assert alert.dedup_key == "ninjaone:4411:0b1c2d3e-4f50-6172-8394-a5b6c7d8e9f0"
    assert alert.title == "Disk Space Check"
    assert alert.device == "4411"
    assert alert.raw_severity is None
    del body["sourceConfigUid"]
    assert NINJA.parse(body)[0].dedup_key == "ninjaone:4411:Disk Space Check"
    assert NINJA.parse({"id": 7, "message": "Agent updated"})[0].dedup_key == (
        "ninjaone:activity:7"
    )


def _triggered(**changes: Any) -> dict[str, Any]:
    body: dict[str, Any] = load("ninjaone-condition-triggered.json")
    body.update(changes)
    return body


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ([], "(body)"),
        (918273, "(body)"),
        ({}, "subject"),
        (_triggered(subject=None, sourceName=None, message=None), "subject"),
        (_triggered(subject=["x"]), "subject"),
        (_triggered(status="PAUSED"), "status"),
        (_triggered(status=None, statusCode=None), "status"),
        (_triggered(status=1), "status"),
        (_triggered(type=7), "type"),
        (_triggered(device="ACME-DC01"), "device"),
        (_triggered(device={"systemName": 5}), "device.systemName"),
        (_triggered(device={"organizationName": ["ACME"]}), "device.organizationName"),
        (_triggered(deviceId={"id": 1}), "deviceId"),
        (_triggered(id=True), "id"),
        (_triggered(activityTime="yesterday"), "activityTime"),
        (_triggered(activityTime=1e300), "activityTime"),
        (_triggered(activityTime=float("nan")), "activityTime"),
        (_triggered(severity=3), "severity"),
        (_triggered(seriesUid=42), "seriesUid"),
        ({"message": "x"}, "seriesUid"),
    ],
)
def test_bad_bodies_name_the_field(body: Any, field: str) -> None:
    with pytest.raises(PayloadError) as caught:
        NINJA.parse(body)
    assert caught.value.field == field
