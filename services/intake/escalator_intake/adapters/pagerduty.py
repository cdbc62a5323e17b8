"""PagerDuty Events API v2 (`POST /v2/enqueue`), for senders that speak PagerDuty."""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import datetime
from typing import Any, ClassVar

from escalator_intake.adapters.base import (
    AdapterDefaults,
    ParsedAlert,
    PayloadError,
    as_mapping,
    derived_dedup_key,
    optional_text,
    require,
    timestamp,
)
from escalator_shared.events import AlertStatus, Severity

SUMMARY_LIMIT = 1024
DEDUP_KEY_LIMIT = 255

_ACTIONS = {
    "trigger": AlertStatus.FIRING,
    "acknowledge": AlertStatus.ACKNOWLEDGED,
    "resolve": AlertStatus.RESOLVED,
}
_SEVERITIES = ("critical", "error", "warning", "info")
_LABEL_FIELDS = ("component", "group", "class", "source")
# Top-level and payload fields that are mapped; the others land in details.
_EVENT_FIELDS = frozenset({"routing_key", "event_action", "dedup_key", "payload", "links"})
_PAYLOAD_FIELDS = frozenset(
    {"summary", "source", "severity", "timestamp", "component", "group", "class"}
)


class PagerDutyAdapter(AdapterDefaults):
    """One event per request: trigger, acknowledge or resolve."""

    type: ClassVar[str] = "pagerduty"
    default_severities: ClassVar[Mapping[str, Severity]] = {
        "critical": Severity.CRITICAL,
        "error": Severity.MAJOR,
        "warning": Severity.WARNING,
        "info": Severity.INFO,
    }

    def parse(self, payload: Any) -> list[ParsedAlert]:
        """The event as one alert; PayloadError naming the first field PagerDuty would refuse."""
        event = as_mapping(payload, "")
        action = require(event, "event_action")
        if not isinstance(action, str) or action not in _ACTIONS:
            raise PayloadError("event_action", f"expected one of {', '.join(_ACTIONS)}")
        dedup_key = optional_text(event.get("dedup_key"), "dedup_key")
        if dedup_key is not None and not 0 < len(dedup_key) <= DEDUP_KEY_LIMIT:
            raise PayloadError("dedup_key", f"must be 1 to {DEDUP_KEY_LIMIT} characters")
        if action != "trigger" and dedup_key is None:
            raise PayloadError("dedup_key", f"required for {action}")
        fields = _payload(event.get("payload"), required=action == "trigger")
        summary = fields.get("summary")
        key = dedup_key or derived_dedup_key(fields.get("source"), summary)
        labels = _labels(fields)
        details: dict[str, Any] = {k: v for k, v in event.items() if k not in _EVENT_FIELDS}
        details.update(fields.get("extra", {}))
        return [
            ParsedAlert(
                dedup_key=key,
                status=_ACTIONS[action],
                title=(summary or f"PagerDuty {action} for {key}")[:SUMMARY_LIMIT],
                raw_severity=fields.get("severity"),
                external_id=dedup_key,
                device=fields.get("source"),
                labels=labels,
                links=_links(event.get("links")),
                details=details,
                occurred_at=fields.get("timestamp"),
            )
        ]


def _payload(value: Any, *, required: bool) -> dict[str, Any]:
    """The `payload` object's fields; summary, source and severity are required for trigger."""
    if value is None:
        if required:
            raise PayloadError("payload", "required field is missing")
        return {}
    payload = as_mapping(value, "payload")
    fields: dict[str, Any] = {}
    for key in ("summary", "source", "severity", "component", "group", "class"):
        text = optional_text(payload.get(key), f"payload.{key}")
        if required and key in ("summary", "source", "severity") and not text:
            raise PayloadError(f"payload.{key}", "required field is missing")
        if text:
            fields[key] = text
    if len(fields.get("summary", "")) > SUMMARY_LIMIT:
        raise PayloadError("payload.summary", f"longer than {SUMMARY_LIMIT} characters")
    severity = fields.get("severity")
    if severity is not None and severity.lower() not in _SEVERITIES:
        raise PayloadError("payload.severity", f"expected one of {', '.join(_SEVERITIES)}")
    occurred_at: datetime | None = timestamp(payload.get("timestamp"), "payload.timestamp")
    fields["timestamp"] = occurred_at
    fields["custom_details"] = payload.get("custom_details")
    # custom_details, and anything PagerDuty does not define, are kept whole in details.
    fields["extra"] = {k: v for k, v in payload.items() if k not in _PAYLOAD_FIELDS}
    return fields


def _labels(fields: Mapping[str, Any]) -> dict[str, str]:
    """Scalar custom details as strings, then PagerDuty's own classification fields."""
    labels: dict[str, str] = {}
    custom = fields.get("custom_details")
    if isinstance(custom, dict):
        for key, value in custom.items():
            if isinstance(value, str):
                labels[str(key)] = value
            elif isinstance(value, bool | int | float):
                labels[str(key)] = json.dumps(value)
    labels.update({key: fields[key] for key in _LABEL_FIELDS if key in fields})
    return labels


def _links(value: Any) -> tuple[str, ...]:
    """The `href` of every element of `links`."""
    if value is None:
        return ()
    if not isinstance(value, list):
        raise PayloadError("links", f"expected a JSON array, got {type(value).__name__}")
    hrefs: list[str] = []
    for i, item in enumerate(value):
        link = as_mapping(item, f"links[{i}]")
        href = optional_text(require(link, "href", f"links[{i}]."), f"links[{i}].href")
        if href:
            hrefs.append(href)
    return tuple(hrefs)
