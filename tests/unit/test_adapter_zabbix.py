"""The Zabbix webhook media type: the adapter and the shipped media type agree."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import yaml

from escalator_intake.adapters.base import PayloadError
from escalator_intake.adapters.zabbix import ZabbixAdapter
from escalator_intake.domain.canonical import resolve_severity
from escalator_shared.config import Integration
from escalator_shared.events import AlertStatus, Severity

ROOT = Path(__file__).parent.parent.parent
PAYLOADS = ROOT / "tests" / "fixtures" / "payloads"
MEDIA_TYPE = ROOT / "deploy" / "senders" / "zabbix" / "escalator_mediatype.yaml"
INTEGRATION = Integration(
    id="initech-zabbix", type="zabbix", token="zbx-integration-token", client="initech"
)
ZABBIX = ZabbixAdapter()


def load(name: str) -> Any:
    return json.loads((PAYLOADS / name).read_text())


def test_problem() -> None:
    (alert,) = ZABBIX.parse(load("zabbix-webhook-problem.json"))
    assert alert.dedup_key == "zabbix:50213"
    assert alert.external_id == "50213"
    assert alert.status is AlertStatus.FIRING
    assert alert.title == "MySQL is down on db02"
    assert alert.device == "db02"
    assert resolve_severity(alert.raw_severity, ZABBIX.default_severities, INTEGRATION) is (
        Severity.MAJOR
    )
    assert alert.labels == {
        "client": "initech",
        "service": "mysql",
        "host_ip": "192.0.2.44",
        "trigger_id": "19123",
    }
    assert alert.occurred_at == datetime(2026, 11, 20, 12, 1, 55, tzinfo=UTC)
    assert alert.details == {}
    assert ZABBIX.body_token(load("zabbix-webhook-problem.json")) == "zbx-integration-token"


def test_recovery_shares_the_problem_key_and_is_timed_at_recovery() -> None:
    (alert,) = ZABBIX.parse(load("zabbix-webhook-recovery.json"))
    assert alert.dedup_key == "zabbix:50213"
    assert alert.status is AlertStatus.RESOLVED
    assert alert.occurred_at == datetime(2026, 11, 20, 12, 9, 2, tzinfo=UTC)


def test_acknowledging_update() -> None:
    body = {
        **load("zabbix-webhook-problem.json"),
        "event_update_status": "1",
        "event_ack_status": "Yes",
    }
    assert ZABBIX.parse(body)[0].status is AlertStatus.ACKNOWLEDGED
    body["event_ack_status"] = "No"
    assert ZABBIX.parse(body)[0].status is AlertStatus.FIRING


def test_unresolved_macros_and_extras() -> None:
    body = {
        **load("zabbix-webhook-problem.json"),
        "event_recovery_date": "{EVENT.RECOVERY.DATE}",
        "event_recovery_time": "{EVENT.RECOVERY.TIME}",
        "host_ip": "*UNKNOWN*",
        "event_tags": "client:initech, url:http://db02:8080, critical",
        "event_opdata": "down for 5m",
    }
    (alert,) = ZABBIX.parse(body)
    assert alert.labels == {
        "client": "initech",
        "url": "http://db02:8080",
        "critical": "",
        "trigger_id": "19123",
    }
    assert alert.details == {"event_opdata": "down for 5m"}
    assert alert.occurred_at == datetime(2026, 11, 20, 12, 1, 55, tzinfo=UTC)
    assert [ZABBIX.default_severities[str(n)] for n in range(6)] == [
        Severity.INFO,
        Severity.INFO,
        Severity.WARNING,
        Severity.MINOR,
        Severity.MAJOR,
        Severity.CRITICAL,
    ]


@pytest.mark.parametrize("payload", [None, [], "token", {"token": 5}, {"token": ""}, {}])
def test_no_body_token(payload: Any) -> None:
    assert ZABBIX.body_token(payload) is None


def _problem(**changes: Any) -> dict[str, Any]:
    body: dict[str, Any] = load("zabbix-webhook-problem.json")
    for key, value in changes.items():
        if value is None:
            del body[key]
        else:
            body[key] = value
    return body


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ([], "(body)"),
        ("50213", "(body)"),
        (_problem(event_id=None), "event_id"),
        (_problem(event_id="{EVENT.ID}"), "event_id"),
        (_problem(event_id=["50213"]), "event_id"),
        (_problem(event_name=None), "event_name"),
        (_problem(event_name=""), "event_name"),
        (_problem(event_value=None), "event_value"),
        (_problem(event_value="2"), "event_value"),
        (_problem(event_value=True), "event_value"),
        (_problem(event_nseverity="6"), "event_nseverity"),
        (_problem(event_nseverity="High"), "event_nseverity"),
        (_problem(event_tags={"client": "initech"}), "event_tags"),
        (_problem(host_name=3.5), "host_name"),
        (_problem(event_date="20.11.2026"), "event_date"),
        (_problem(event_time="noon"), "event_date"),
    ],
)
def test_bad_bodies_name_the_field(body: Any, field: str) -> None:
    with pytest.raises(PayloadError) as caught:
        ZABBIX.parse(body)
    assert caught.value.field == field


def test_the_shipped_media_type_sends_what_the_adapter_reads() -> None:
    export = yaml.safe_load(MEDIA_TYPE.read_text())
    (media,) = export["zabbix_export"]["media_types"]
    assert media["type"] == "WEBHOOK"
    parameters = {p["name"]: p["value"] for p in media["parameters"]}
    for macro in (
        "EVENT.ID",
        "EVENT.VALUE",
        "EVENT.NSEVERITY",
        "EVENT.NAME",
        "EVENT.UPDATE.STATUS",
        "EVENT.ACK.STATUS",
        "TRIGGER.ID",
        "HOST.NAME",
        "HOST.IP",
        "EVENT.DATE",
        "EVENT.TIME",
        "EVENT.RECOVERY.DATE",
        "EVENT.RECOVERY.TIME",
        "EVENT.TAGS",
    ):
        assert f"{{{macro}}}" in parameters.values(), macro
    assert set(load("zabbix-webhook-problem.json")) <= set(parameters)
    assert set(load("zabbix-webhook-recovery.json")) <= set(parameters)
    assert re.search(r"\{\$ESCALATOR\.[A-Z]+\}", parameters["escalator_url"])
    assert "new HttpRequest()" in media["script"]
    assert "getStatus()" in media["script"]
    # What the script posts: the parameters except the URL, macros resolved.
    posted = {k: v for k, v in parameters.items() if k != "escalator_url"}
    posted.update(load("zabbix-webhook-problem.json"))
    assert ZABBIX.parse(posted)[0].dedup_key == "zabbix:50213"
