"""The Alertmanager and Grafana adapters against their senders' sample bodies."""

from __future__ import annotations

import hashlib
import hmac
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from escalator_intake.adapters.alertmanager import AlertmanagerAdapter
from escalator_intake.adapters.base import PayloadError, SignatureError
from escalator_intake.adapters.grafana import GrafanaAdapter
from escalator_intake.adapters.registry import adapter_for
from escalator_intake.domain.canonical import resolve_client, resolve_severity
from escalator_shared.config import Integration
from escalator_shared.events import AlertStatus, Severity

PAYLOADS = Path(__file__).parent.parent / "fixtures" / "payloads"
INTEGRATION = Integration(
    id="acme-prometheus",
    type="alertmanager",
    token="dev-token-xyz123",
    client="fallback",
    client_label="client",
    clients=["acme", "initech"],
)
AM = AlertmanagerAdapter()
GRAFANA = GrafanaAdapter()
GROUP_DETAILS = {
    "groupKey": '{}/{client="acme"}:{alertname="DiskAlmostFull"}',
    "receiver": "escalation",
    "externalURL": "http://alertmanager.acme.example:9093",
    "truncatedAlerts": 0,
}
GENERATOR_URL = "http://prometheus.acme.example:9090/graph?g0.expr=disk_used_ratio+%3E+0.9"


def load(name: str) -> Any:
    return json.loads((PAYLOADS / name).read_text())


def test_firing_group_gives_one_alert_per_element() -> None:
    first, second = AM.parse(load("alertmanager-v4-firing.json"))
    assert first.dedup_key == first.external_id == "a1b2c3d4e5f60718"
    assert second.dedup_key == "0718a1b2c3d4e5f6"
    assert first.status is AlertStatus.FIRING
    assert first.title == "Disk almost full on fs01"
    assert first.description == "/dev/sda1 is 93% full"
    assert resolve_severity(first.raw_severity, AM.default_severities, INTEGRATION) is (
        Severity.WARNING
    )
    assert (first.device, second.device) == ("fs01:9100", "fs02:9100")
    assert first.labels == {
        "alertname": "DiskAlmostFull",
        "client": "acme",
        "instance": "fs01:9100",
        "device": "/dev/sda1",
        "severity": "warning",
    }
    assert first.links == (GENERATOR_URL,)
    assert first.occurred_at == datetime(2026, 11, 20, 8, 15, tzinfo=UTC)
    assert second.occurred_at == datetime(2026, 11, 20, 8, 16, 30, tzinfo=UTC)
    assert first.details == GROUP_DETAILS
    assert first.error_codes == ()
    assert resolve_client(first, INTEGRATION) == "acme"


def test_resolved_group_resolves_the_first_alert_at_its_end() -> None:
    (alert,) = AM.parse(load("alertmanager-v4-resolved.json"))
    assert alert.dedup_key == "a1b2c3d4e5f60718"
    assert alert.status is AlertStatus.RESOLVED
    assert alert.occurred_at == datetime(2026, 11, 20, 9, 2, tzinfo=UTC)


def test_without_fingerprint_or_summary_the_labels_identify_the_alert() -> None:
    body = load("alertmanager-v4-firing.json")
    for alert in body["alerts"]:
        del alert["fingerprint"]
        del alert["annotations"]["summary"]
        alert["annotations"]["runbook_url"] = "https://runbooks.example/disk"
        alert["labels"]["error_code"] = "ENOSPC"
        alert["labels"]["score"] = 7
    first, second = AM.parse(body)
    reordered = {
        **body,
        "alerts": [{**a, "labels": dict(reversed(a["labels"].items()))} for a in body["alerts"]],
    }
    assert first.dedup_key.startswith("derived:")
    assert first.dedup_key != second.dedup_key
    assert first.dedup_key == AM.parse(reordered)[0].dedup_key
    assert first.external_id is None
    assert first.title == "DiskAlmostFull"
    assert first.error_codes == ("ENOSPC",)
    assert first.labels["score"] == "7"
    assert first.details == {**GROUP_DETAILS, "runbook_url": "https://runbooks.example/disk"}


def test_unknown_fields_are_kept_and_titles_capped() -> None:
    body = load("alertmanager-v4-firing.json")
    body["tenant"] = "eu-1"
    body["alerts"][0]["annotations"]["summary"] = "x" * 5000
    body["alerts"][0]["silenced"] = False
    first, _ = AM.parse(body)
    assert len(first.title) == 1024
    assert first.details == {**GROUP_DETAILS, "tenant": "eu-1", "silenced": False}


def test_zero_end_time_of_a_resolved_alert_counts_as_absent() -> None:
    body = load("alertmanager-v4-resolved.json")
    body["alerts"][0]["endsAt"] = "0001-01-01T00:00:00Z"
    assert AM.parse(body)[0].occurred_at is None


def _am(**changes: Any) -> dict[str, Any]:
    body: dict[str, Any] = load("alertmanager-v4-firing.json")
    alert = body["alerts"][1]
    for key, value in changes.items():
        if key.startswith("a_"):
            alert[key[2:]] = value
        else:
            body[key] = value
    return body


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ([], "(body)"),
        ("firing", "(body)"),
        (None, "(body)"),
        ({"alerts": []}, "version"),
        (_am(version="3"), "version"),
        (_am(version=4), "version"),
        (_am(version=["4"]), "version"),
        (_am(alerts=None), "alerts"),
        (_am(alerts={"0": {}}), "alerts"),
        (_am(alerts=[{"status": "firing", "labels": {"alertname": "b"}}, "x"]), "alerts[1]"),
        (_am(a_status=None), "alerts[1].status"),
        (_am(a_status="pending"), "alerts[1].status"),
        (_am(a_status=["firing"]), "alerts[1].status"),
        (_am(a_labels=["alertname"]), "alerts[1].labels"),
        (_am(a_labels={"severity": "warning"}, a_annotations={}), "alerts[1].labels.alertname"),
        (_am(a_annotations="summary"), "alerts[1].annotations"),
        (_am(a_fingerprint=12), "alerts[1].fingerprint"),
        (_am(a_fingerprint="f" * 256), "alerts[1].fingerprint"),
        (_am(a_startsAt="yesterday"), "alerts[1].startsAt"),
        (_am(a_startsAt=1763640000), "alerts[1].startsAt"),
        (_am(a_endsAt="2026-13-01T00:00:00Z"), "alerts[1].endsAt"),
        (_am(a_generatorURL=["http://x"]), "alerts[1].generatorURL"),
    ],
)
def test_alertmanager_bad_bodies_name_the_field(body: Any, field: str) -> None:
    with pytest.raises(PayloadError) as caught:
        AM.parse(body)
    assert caught.value.field == field


def test_grafana_reuses_the_alertmanager_shape_with_its_own_fields() -> None:
    (alert,) = GRAFANA.parse(load("grafana-alerting-firing.json"))
    assert alert.dedup_key == alert.external_id == "57c6d9296de2ad39"
    assert alert.status is AlertStatus.FIRING
    assert alert.title == "CPU above 95% for 10 minutes on sql01"
    assert alert.device == "sql01"
    assert alert.raw_severity is None
    assert resolve_severity(alert.raw_severity, GRAFANA.default_severities, INTEGRATION) is (
        Severity.WARNING
    )
    assert alert.labels == {
        "alertname": "HighCPU",
        "grafana_folder": "Servers",
        "client": "globex",
        "host": "sql01",
    }
    assert alert.links == (
        "https://grafana.globex.example/alerting/grafana/cpu01/view",
        "https://grafana.globex.example/d/servers",
        "https://grafana.globex.example/d/servers?viewPanel=3",
        "https://grafana.globex.example/alerting/silence/new?matcher=alertname%3DHighCPU",
    )
    assert alert.occurred_at == datetime(2026, 11, 20, 10, 0, tzinfo=UTC)
    assert alert.details == {
        "values": {"B": 97.2, "C": 1},
        "groupKey": '{}:{alertname="HighCPU"}',
        "receiver": "escalation",
        "externalURL": "https://grafana.globex.example/",
        "truncatedAlerts": 0,
        "message": load("grafana-alerting-firing.json")["message"],
        "orgId": 1,
        "state": "alerting",
        "title": "[FIRING:1] HighCPU Servers (globex sql01)",
    }
    assert adapter_for("grafana") is not adapter_for("alertmanager")


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"version": "4"}, "version"),
        (
            {"alerts": [{"status": "firing", "labels": {"alertname": "x"}, "panelURL": 3}]},
            "alerts[0].panelURL",
        ),
    ],
)
def test_grafana_bad_bodies_name_the_field(change: dict[str, Any], field: str) -> None:
    with pytest.raises(PayloadError) as caught:
        GRAFANA.parse({**load("grafana-alerting-firing.json"), **change})
    assert caught.value.field == field


RAW = (PAYLOADS / "grafana-alerting-firing.json").read_bytes()
SECRET = "grafana-signing-secret"
SIGNATURE = hmac.new(SECRET.encode(), RAW, hashlib.sha256).hexdigest()


@pytest.mark.parametrize(
    "headers",
    [
        {"X-Grafana-Alerting-Signature": SIGNATURE},
        {"x-grafana-alerting-signature": SIGNATURE.upper()},
    ],
)
def test_grafana_signature_over_the_body_passes(headers: dict[str, str]) -> None:
    GRAFANA.verify_signature(RAW, headers, SECRET)


@pytest.mark.parametrize(
    ("raw", "headers", "message"),
    [
        (RAW, {}, "missing"),
        (RAW, {"X-Grafana-Alerting-Signature": ""}, "missing"),
        (RAW, {"X-Grafana-Alerting-Signature": "0" * 64}, "does not match"),
        (RAW + b" ", {"X-Grafana-Alerting-Signature": SIGNATURE}, "does not match"),
        (RAW, {"X-Grafana-Alerting-Signature": "é"}, "does not match"),
    ],
)
def test_grafana_wrong_or_missing_signature_is_refused(
    raw: bytes, headers: dict[str, str], message: str
) -> None:
    with pytest.raises(SignatureError, match=message):
        GRAFANA.verify_signature(raw, headers, SECRET)
