"""Datto RMM's webhook: the body is our template (`deploy/senders/datto/*.json`) with Datto's
variables filled in, so every value arrives as text."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any, ClassVar

from escalator_intake.adapters.base import (
    AdapterDefaults,
    ParsedAlert,
    PayloadError,
    as_mapping,
)
from escalator_shared.events import AlertStatus, Severity

TITLE_LIMIT = 1024

_STATUSES = {s.value: s for s in AlertStatus}
# Template fields and the label each becomes.
_LABELS = {
    "site": "site",
    "platform": "platform",
    "type": "alert_type",
    "ip": "ip",
    "device_id": "device_id",
}
_MAPPED = frozenset({"alert_uid", "status", "message", "hostname", "priority", "timestamp"}) | set(
    _LABELS
)


class DattoAdapter(AdapterDefaults):
    """One alert (or its resolution) per request."""

    type: ClassVar[str] = "datto"
    default_severities: ClassVar[Mapping[str, Severity]] = {
        "critical": Severity.CRITICAL,
        "high": Severity.MAJOR,
        "moderate": Severity.MINOR,
        "low": Severity.WARNING,
        "information": Severity.INFO,
    }

    def parse(self, payload: Any) -> list[ParsedAlert]:
        """The alert; the alert body and the resolved body share `datto:<alert_uid>`."""
        body = as_mapping(payload, "")
        alert_uid = _text(body, "alert_uid")
        if not alert_uid:
            raise PayloadError("alert_uid", "required field is missing")
        title = _text(body, "message")
        if not title:
            raise PayloadError("message", "required field is missing")
        status_word = (_text(body, "status") or "firing").lower()
        if status_word not in _STATUSES:
            raise PayloadError("status", f"expected one of {', '.join(_STATUSES)}")
        details = {k: v for k, v in body.items() if k not in _MAPPED}
        raw_time = _text(body, "timestamp")
        occurred_at = _iso_time(raw_time)
        if raw_time and occurred_at is None:
            details["timestamp_raw"] = raw_time
        labels = {label: _text(body, key) for key, label in _LABELS.items()}
        return [
            ParsedAlert(
                dedup_key=f"datto:{alert_uid}",
                status=_STATUSES[status_word],
                title=title[:TITLE_LIMIT],
                raw_severity=_text(body, "priority"),
                external_id=alert_uid,
                device=_text(body, "hostname"),
                labels={k: v for k, v in labels.items() if v},
                details=details,
                occurred_at=occurred_at,
            )
        ]


def _text(body: Mapping[str, Any], key: str) -> str | None:
    """A template value as stripped text (numbers are accepted); None when absent or empty."""
    value = body.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise PayloadError(key, f"expected a string, got {type(value).__name__}")
    return str(value).strip() or None


def _iso_time(text: str | None) -> datetime | None:
    """An ISO 8601 time (naive read as UTC), or None when the text is not one."""
    if text is None:
        return None
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        return None
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=UTC)
