"""The Datto RMM adapter and the body templates we ship for Datto."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from escalator_intake.adapters.base import PayloadError
from escalator_intake.adapters.datto import DattoAdapter
from escalator_intake.domain.canonical import resolve_client, resolve_severity
from escalator_shared.config import Integration
from escalator_shared.events import AlertStatus, Severity

ROOT = Path(__file__).parent.parent.parent
PAYLOADS = ROOT / "tests" / "fixtures" / "payloads"
TEMPLATES = ROOT / "deploy" / "senders" / "datto"
INTEGRATION = Integration(
    id="datto",
    type="datto",
    token="dev-token-datto1",
    client="fallback",
    client_label="site",
    clients_by_value={"Globex - Springfield": "globex"},
)
DATTO = DattoAdapter()
UID = "c2b9e7a4-1f0d-4a63-8e7a-2b5d9f0c1e33"


def load(name: str) -> Any:
    return json.loads((PAYLOADS / name).read_text())


def test_alert() -> None:
    (alert,) = DATTO.parse(load("datto-rmm-alert.json"))
    assert alert.dedup_key == f"datto:{UID}"
    assert alert.external_id == UID
    assert alert.status is AlertStatus.FIRING
    assert alert.title == "Antivirus definitions out of date (5 days)"
    assert alert.device == "GLOBEX-WS-114"
    assert resolve_severity(alert.raw_severity, DATTO.default_severities, INTEGRATION) is (
        Severity.MAJOR
    )
    assert alert.labels == {
        "site": "Globex - Springfield",
        "platform": "Windows",
        "alert_type": "antivirus_status",
        "ip": "10.20.4.114",
        "device_id": "88231",
    }
    assert alert.occurred_at == datetime(2026, 11, 20, 7, 30, tzinfo=UTC)
    assert alert.details == {}
    assert resolve_client(alert, INTEGRATION) == "globex"


def test_resolved_body_shares_the_key() -> None:
    (alert,) = DATTO.parse({**load("datto-rmm-alert.json"), "status": "resolved"})
    assert alert.dedup_key == f"datto:{UID}"
    assert alert.status is AlertStatus.RESOLVED


@pytest.mark.parametrize(
    ("priority", "severity"),
    [
        ("Critical", Severity.CRITICAL),
        ("High", Severity.MAJOR),
        ("Moderate", Severity.MINOR),
        ("Low", Severity.WARNING),
        ("Information", Severity.INFO),
    ],
)
def test_priorities(priority: str, severity: Severity) -> None:
    (alert,) = DATTO.parse({**load("datto-rmm-alert.json"), "priority": priority})
    assert resolve_severity(alert.raw_severity, DATTO.default_severities, INTEGRATION) is severity


def test_timestamp_that_is_not_iso_is_kept_as_text() -> None:
    body = {**load("datto-rmm-alert.json"), "timestamp": "20/11/2026 07:30", "tenant": "x"}
    (alert,) = DATTO.parse(body)
    assert alert.occurred_at is None
    assert alert.details == {"timestamp_raw": "20/11/2026 07:30", "tenant": "x"}


@pytest.mark.parametrize(
    ("name", "status"), [("alert-body.json", "firing"), ("resolved-body.json", "resolved")]
)
def test_shipped_templates_are_the_sample_template_with_a_status(name: str, status: str) -> None:
    shipped = json.loads((TEMPLATES / name).read_text())
    assert shipped == {**load("datto-rmm-body-template.json"), "status": status}
    filled = {k: v.replace("[", "").replace("]", "") for k, v in shipped.items()}
    (alert,) = DATTO.parse(filled)
    assert alert.status.value == status
    assert alert.details == {"timestamp_raw": "timestamp"}


def _alert(**changes: Any) -> dict[str, Any]:
    body: dict[str, Any] = load("datto-rmm-alert.json")
    body.update(changes)
    return body


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ([], "(body)"),
        ("alert", "(body)"),
        ({}, "alert_uid"),
        (_alert(alert_uid=None), "alert_uid"),
        (_alert(alert_uid="  "), "alert_uid"),
        (_alert(alert_uid={"uid": 1}), "alert_uid"),
        (_alert(message=None), "message"),
        (_alert(message=["x"]), "message"),
        (_alert(status="open"), "status"),
        (_alert(status=True), "status"),
        (_alert(hostname=["a"]), "hostname"),
        (_alert(priority={"p": 1}), "priority"),
        (_alert(site=[]), "site"),
        (_alert(timestamp={}), "timestamp"),
    ],
)
def test_bad_bodies_name_the_field(body: Any, field: str) -> None:
    with pytest.raises(PayloadError) as caught:
        DATTO.parse(body)
    assert caught.value.field == field
