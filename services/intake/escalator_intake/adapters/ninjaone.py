"""NinjaOne's activity webhook: condition activities open, acknowledge and reset alerts."""

from __future__ import annotations

import math
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any, ClassVar

from escalator_intake.adapters.base import AdapterDefaults, ParsedAlert, PayloadError, as_mapping
from escalator_shared.events import AlertStatus, Severity

TITLE_LIMIT = 1024

_CONDITION = "CONDITION"
_CONDITION_STATUSES = {
    "TRIGGERED": AlertStatus.FIRING,
    "RESET": AlertStatus.RESOLVED,
    "ACKNOWLEDGED": AlertStatus.ACKNOWLEDGED,
}
# Fields whose whole value is mapped onto the alert; everything else is kept in details.
_MAPPED = frozenset(
    {
        "id",
        "activityTime",
        "deviceId",
        "severity",
        "priority",
        "seriesUid",
        "sourceName",
        "subject",
        "message",
    }
)


class NinjaOneAdapter(AdapterDefaults):
    """One activity per request; activities other than conditions become informational alerts."""

    type: ClassVar[str] = "ninjaone"
    default_severities: ClassVar[Mapping[str, Severity]] = {
        "critical": Severity.CRITICAL,
        "major": Severity.MAJOR,
        "moderate": Severity.MINOR,
        "minor": Severity.WARNING,
        "none": Severity.INFO,
    }

    def parse(self, payload: Any) -> list[ParsedAlert]:
        """The activity as one alert; a condition's trigger and reset share its seriesUid."""
        body = as_mapping(payload, "")
        device = as_mapping(body["device"], "device") if body.get("device") is not None else {}
        subject = _text(body, "subject")
        source = _text(body, "sourceName")
        message = _text(body, "message")
        title = subject or source or (message or "").split("\n", 1)[0].strip()
        if not title:
            raise PayloadError("subject", "required field is missing (or sourceName)")
        device_id = _identifier(body, "deviceId")
        labels = {
            "organization": _text(device, "organizationName", "device."),
            "node_class": _text(device, "nodeClass", "device."),
            "source": source,
            "priority": _text(body, "priority"),
            "device_id": device_id,
        }
        return [
            ParsedAlert(
                dedup_key=_dedup_key(body, device_id, source),
                status=_status(body),
                title=title[:TITLE_LIMIT],
                raw_severity=_text(body, "severity"),
                description=message or "",
                external_id=_identifier(body, "id"),
                device=_text(device, "systemName", "device.") or device_id,
                error_codes=_error_codes(body.get("data")),
                labels={k: v for k, v in labels.items() if v},
                details={k: v for k, v in body.items() if k not in _MAPPED},
                occurred_at=_epoch(body.get("activityTime")),
            )
        ]


def _text(body: Mapping[str, Any], key: str, where: str = "") -> str | None:
    value = body.get(key)
    if value is None or isinstance(value, str):
        return value or None
    raise PayloadError(f"{where}{key}", f"expected a string, got {type(value).__name__}")


def _identifier(body: Mapping[str, Any], key: str) -> str | None:
    """A numeric or text id, as text."""
    value = body.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise PayloadError(key, f"expected an id (number or string), got {type(value).__name__}")
    return str(value) or None


def _status(body: Mapping[str, Any]) -> AlertStatus:
    """Conditions carry their state in `status`; any other activity is informational (firing)."""
    kinds = (_text(body, "type"), _text(body, "activityType"))
    if _CONDITION not in kinds:
        return AlertStatus.FIRING
    where = "status" if "status" in body else "statusCode"
    word = _text(body, where)
    if word is None:
        raise PayloadError("status", "required for CONDITION activities")
    if word.upper() not in _CONDITION_STATUSES:
        raise PayloadError(where, f"expected one of {', '.join(_CONDITION_STATUSES)}")
    return _CONDITION_STATUSES[word.upper()]


def _dedup_key(body: Mapping[str, Any], device_id: str | None, source: str | None) -> str:
    """The condition's series; else the device and the condition's configuration (or name)."""
    series = _text(body, "seriesUid")
    if series:
        return f"ninjaone:{series}"
    config = _text(body, "sourceConfigUid") or source
    if device_id or config:
        return f"ninjaone:{device_id or ''}:{config or ''}"
    activity = _identifier(body, "id")
    if activity:
        return f"ninjaone:activity:{activity}"
    raise PayloadError("seriesUid", "required when deviceId, sourceName and id are missing")


def _error_codes(data: Any) -> tuple[str, ...]:
    """`data.message.code`, when the activity has one (`data` is free-form otherwise)."""
    if not isinstance(data, dict) or not isinstance(data.get("message"), dict):
        return ()
    code = data["message"].get("code")
    if isinstance(code, str) and code:
        return (code,)
    if isinstance(code, int) and not isinstance(code, bool):
        return (str(code),)
    return ()


def _epoch(value: Any) -> datetime | None:
    """`activityTime`: seconds since the epoch, UTC."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise PayloadError("activityTime", "expected seconds since the epoch")
    try:
        return datetime.fromtimestamp(value, tz=UTC)
    except (OverflowError, OSError, ValueError) as exc:
        raise PayloadError("activityTime", "seconds since the epoch out of range") from exc
