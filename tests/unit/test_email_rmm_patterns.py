"""RMM alert emails read by patterns into ParsedAlerts."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from pydantic import ValidationError

from escalator_intake.email.message import InboundEmail, parse_email
from escalator_intake.email.rmm_patterns import (
    DEFAULT_PATTERNS,
    KASEYA_VSA,
    NCENTRAL,
    EmailAlertPattern,
    parse_rmm_email,
)
from escalator_shared.events import AlertStatus

SAMPLES = Path(__file__).parent.parent / "fixtures" / "email"
KEY = "email:ncentral:initech:initech-fs01:backup status"


def sample(name: str) -> InboundEmail:
    return parse_email((SAMPLES / name).read_bytes())


def build(sender: str, subject: str, body: str, date: str = "") -> InboundEmail:
    headers = f"From: {sender}\r\nSubject: {subject}\r\nMessage-ID: <r1@rmm.example>\r\n"
    if date:
        headers += f"Date: {date}\r\n"
    return parse_email((headers + "\r\n" + body).encode())


def test_ncentral_sample() -> None:
    alert = parse_rmm_email(sample("05-rmm-alert-email.eml"), DEFAULT_PATTERNS)
    assert alert is not None
    assert alert.dedup_key == KEY
    assert alert.status is AlertStatus.FIRING
    assert alert.title == "Initech - INITECH-FS01 - Backup Status - Failed"
    assert alert.device == "INITECH-FS01"
    assert alert.error_codes == ("0x80070057",)
    assert alert.raw_severity == "major"
    assert alert.labels == {
        "client": "Initech",
        "service": "Backup Status",
        "state": "Failed",
        "pattern": "ncentral",
    }
    assert alert.occurred_at == datetime(2026, 11, 20, 2, 0, 12, tzinfo=UTC)
    assert alert.description.startswith("Customer: Initech\n")
    assert alert.details == {
        "pattern": "ncentral",
        "from": "noreply@ncentral.msp.example",
        "message_id": "nc-5591023@ncentral.msp.example",
    }


def test_ncentral_recovery_resolves_the_same_key() -> None:
    body = (
        "Customer: Initech\nDevice: INITECH-FS01\nService: Backup Status\nState: OK\n"
        "Time: 2026-11-21T03:15:00Z\n"
    )
    mail = build(
        "N-central <noreply@ncentral.msp.example>",
        "[OK] Initech - INITECH-FS01 - Backup Status - OK",
        body,
        "Sat, 21 Nov 2026 03:16:00 +0000",
    )
    alert = parse_rmm_email(mail, DEFAULT_PATTERNS)
    assert alert is not None
    assert alert.dedup_key == KEY
    assert alert.status is AlertStatus.RESOLVED
    assert alert.title == "Initech - INITECH-FS01 - Backup Status - OK"
    assert alert.raw_severity == "info"
    assert alert.error_codes == ()
    assert alert.occurred_at == datetime(2026, 11, 21, 3, 15, tzinfo=UTC)


def test_subject_alone_and_email_date_fallback() -> None:
    mail = build(
        "N-central <noreply@ncentral.msp.example>",
        "[WARNING] Globex - GLOBEX-DC1 - Disk Space - Warning",
        "Free space is low.\nTime: yesterday-ish\n",
        "Fri, 20 Nov 2026 05:00:00 +0000",
    )
    alert = parse_rmm_email(mail, DEFAULT_PATTERNS)
    assert alert is not None
    assert alert.dedup_key == "email:ncentral:globex:globex-dc1:disk space"
    assert alert.status is AlertStatus.FIRING
    assert alert.labels["state"] == "WARNING"
    assert alert.raw_severity == "warning"
    assert alert.occurred_at == datetime(2026, 11, 20, 5, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("sender", "subject", "body"),
    [
        ("Dana <dana@acme.example>", "[FAILED] Initech - X - Y - Failed", "State: Failed"),
        ("N-central <noreply@ncentral.msp.example>", "Weekly report", "All fine."),
        ("N-central <noreply@ncentral.msp.example>", "[WEIRD] A - B - C", "State: Exploded"),
    ],
)
def test_not_an_alert(sender: str, subject: str, body: str) -> None:
    assert parse_rmm_email(build(sender, subject, body), DEFAULT_PATTERNS) is None


def test_other_samples_are_not_alerts() -> None:
    for name in ("01-new-request.eml", "03-reply-to-ticket.eml", "04-auto-reply.eml"):
        assert parse_rmm_email(sample(name), DEFAULT_PATTERNS) is None


def test_kaseya_pattern_reads_its_assumed_template() -> None:
    body = (
        "Machine ID: initech-fs01.servers.initech\nOrganization: Initech\n"
        "Monitor: Disk Space C:\nStatus: Alarm\nAlarm Time: 2026-11-20 04:00:00 UTC\n"
    )
    mail = build(
        "Kaseya VSA <vsa@kaseya.msp.example>", "Monitor Alarm: Disk Space C: on initech-fs01", body
    )
    alert = parse_rmm_email(mail, [KASEYA_VSA])
    assert alert is not None
    assert alert.dedup_key == "email:kaseya-vsa:initech:initech-fs01:disk space c:"
    assert alert.status is AlertStatus.FIRING
    assert alert.device == "initech-fs01"
    assert alert.occurred_at == datetime(2026, 11, 20, 4, 0, tzinfo=UTC)


def test_custom_pattern_with_from_contains() -> None:
    pattern = EmailAlertPattern(
        name="automate",
        from_contains="automate@",
        subject_regex=r"^(?P<state>UP|DOWN): (?P<device>\S+) (?P<service>.+)$",
        body_fields={"client": r"^Client:\s*(.+)$", "error_code": r"Code=(\w+)"},
        firing_states=("down",),
        resolved_states=("up",),
        severity_by_state={"DOWN": "critical"},
    )
    mail = build("automate@cw.example", "DOWN: WS-9 Ping", "Client: Hooli\nCode=E42\n")
    alert = parse_rmm_email(mail, [NCENTRAL, pattern])
    assert alert is not None
    assert alert.dedup_key == "email:automate:hooli:ws-9:ping"
    assert alert.raw_severity == "critical"
    assert alert.error_codes == ("E42",)
    assert alert.title == "DOWN: WS-9 Ping"
    up = parse_rmm_email(
        build("automate@cw.example", "UP: WS-9 Ping", "Client: Hooli\n"), [pattern]
    )
    assert up is not None
    assert up.status is AlertStatus.RESOLVED
    assert up.dedup_key == alert.dedup_key
    assert up.raw_severity == "up"  # not in severity_by_state: the state word


@pytest.mark.parametrize(
    "overrides",
    [
        {"from_contains": None},
        {"subject_regex": r"(?P<host>\S+)"},
        {"subject_regex": r"(unclosed"},
        {"body_fields": {"colour": r"(x)"}},
        {"body_fields": {"device": r"no group"}},
        {"body_fields": {"device": r"(a)(b)"}},
        {"from_regex": r"["},
        {"resolved_states": ("Failed",)},
        {"name": ""},
    ],
)
def test_invalid_patterns(overrides: dict[str, object]) -> None:
    fields: dict[str, object] = {
        "name": "p",
        "from_contains": "x",
        "firing_states": ("failed",),
        **overrides,
    }
    with pytest.raises(ValidationError):
        EmailAlertPattern.model_validate(fields)


def test_patterns_are_frozen() -> None:
    with pytest.raises(ValidationError):
        NCENTRAL.name = "other"  # type: ignore[misc]
