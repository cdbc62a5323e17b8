"""Zabbix's webhook media type (`deploy/senders/zabbix/escalator_mediatype.yaml`).

The media type's script posts its parameters as one flat JSON object of strings. Zabbix leaves a
macro it cannot resolve in place (`{EVENT.RECOVERY.DATE}` on a problem) or writes `*UNKNOWN*`;
both count as absent here.

Times: `{EVENT.DATE}`/`{EVENT.TIME}` are the Zabbix server's local time without a zone. They are
read as UTC, so run the Zabbix server in UTC (an offset setting may come later).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any, ClassVar

from escalator_intake.adapters.base import AdapterDefaults, ParsedAlert, PayloadError, as_mapping
from escalator_shared.events import AlertStatus, Severity

TITLE_LIMIT = 1024

_UNRESOLVED = re.compile(r"^\{[^{}]*\}$")
_SEVERITY_WORDS = ("0", "1", "2", "3", "4", "5")
# Parameters mapped onto the alert; the token is a secret and never kept. Others go to details.
_MAPPED = frozenset(
    {
        "token",
        "event_id",
        "event_value",
        "event_nseverity",
        "event_name",
        "event_update_status",
        "event_ack_status",
        "trigger_id",
        "host_name",
        "host_ip",
        "event_date",
        "event_time",
        "event_recovery_date",
        "event_recovery_time",
        "event_tags",
    }
)


class ZabbixAdapter(AdapterDefaults):
    """One problem, recovery or update event per request."""

    type: ClassVar[str] = "zabbix"
    default_severities: ClassVar[Mapping[str, Severity]] = {
        "0": Severity.INFO,  # not classified
        "1": Severity.INFO,  # information
        "2": Severity.WARNING,  # warning
        "3": Severity.MINOR,  # average
        "4": Severity.MAJOR,  # high
        "5": Severity.CRITICAL,  # disaster
    }

    def parse(self, payload: Any) -> list[ParsedAlert]:
        """The event as one alert; a problem and its recovery share `zabbix:<event_id>`."""
        body = as_mapping(payload, "")
        event_id = _required(body, "event_id")
        title = _required(body, "event_name")
        status = _status(body)
        severity = _text(body, "event_nseverity")
        if severity is not None and severity not in _SEVERITY_WORDS:
            raise PayloadError("event_nseverity", "expected 0 to 5")
        labels = _tags(_text(body, "event_tags"))
        for key in ("host_ip", "trigger_id"):
            value = _text(body, key)
            if value:
                labels[key] = value
        if status is AlertStatus.RESOLVED:
            occurred_at = _local_time(body, "event_recovery_date", "event_recovery_time")
        else:
            occurred_at = _local_time(body, "event_date", "event_time")
        return [
            ParsedAlert(
                dedup_key=f"zabbix:{event_id}",
                status=status,
                title=title[:TITLE_LIMIT],
                raw_severity=severity,
                external_id=event_id,
                device=_text(body, "host_name") or None,
                labels=labels,
                details={k: v for k, v in body.items() if k not in _MAPPED},
                occurred_at=occurred_at,
            )
        ]

    def body_token(self, payload: Any) -> str | None:
        """The media type's `token` parameter (Zabbix scripts cannot easily set headers)."""
        if not isinstance(payload, dict):
            return None
        token = payload.get("token")
        return token if isinstance(token, str) and token else None


def _text(body: Mapping[str, Any], key: str) -> str | None:
    """A parameter as text; None when absent, empty or an unresolved macro."""
    value = body.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise PayloadError(key, f"expected a string, got {type(value).__name__}")
    text = str(value).strip()
    if not text or text == "*UNKNOWN*" or _UNRESOLVED.match(text):
        return None
    return text


def _required(body: Mapping[str, Any], key: str) -> str:
    text = _text(body, key)
    if text is None:
        raise PayloadError(key, "required field is missing")
    return text


def _status(body: Mapping[str, Any]) -> AlertStatus:
    """EVENT.VALUE 0 is a recovery; an update of an acknowledged problem is an acknowledgement."""
    value = _required(body, "event_value")
    if value == "0":
        return AlertStatus.RESOLVED
    if value != "1":
        raise PayloadError("event_value", f"expected 1 (problem) or 0 (recovery), got {value!r}")
    updated = _text(body, "event_update_status") == "1"
    acknowledged = (_text(body, "event_ack_status") or "").lower() == "yes"
    return AlertStatus.ACKNOWLEDGED if updated and acknowledged else AlertStatus.FIRING


def _tags(text: str | None) -> dict[str, str]:
    """`{EVENT.TAGS}`: "name:value, name2:value2"; a tag without a value gets ""."""
    labels: dict[str, str] = {}
    for item in (text or "").split(","):
        name, _, value = item.partition(":")
        if name.strip():
            labels[name.strip()] = value.strip()
    return labels


def _local_time(body: Mapping[str, Any], date_key: str, time_key: str) -> datetime | None:
    """`2026.11.20` + `12:01:55`, read as UTC; None when either is absent."""
    date, time = _text(body, date_key), _text(body, time_key)
    if date is None or time is None:
        return None
    try:
        return datetime.strptime(f"{date} {time}", "%Y.%m.%d %H:%M:%S").replace(tzinfo=UTC)
    except ValueError as exc:
        raise PayloadError(
            date_key, f"expected YYYY.MM.DD and HH:MM:SS, got {date!r} {time!r}"
        ) from exc
