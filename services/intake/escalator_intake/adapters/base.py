"""The one interface every sender adapter implements: a sender's body in, canonical alerts out.

An adapter knows its sender's format only. Client, severity and priority mapping, dedup scoping
and authentication are applied after it (`escalator_intake.domain.canonical`).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, ClassVar, Protocol

from escalator_shared.events import AlertStatus, Severity


class PayloadError(ValueError):
    """The body does not fit the sender's format; `field` names where (e.g. `alerts[0].status`)."""

    def __init__(self, field: str, problem: str) -> None:
        super().__init__(f"{field}: {problem}")
        self.field = field
        self.problem = problem


class SignatureError(Exception):
    """A signed sender's signature is missing or wrong."""


@dataclass(frozen=True)
class ParsedAlert:
    """One alert as a sender described it, in our vocabulary."""

    dedup_key: str
    status: AlertStatus
    title: str
    raw_severity: str | None = None
    description: str = ""
    external_id: str | None = None
    device: str | None = None
    error_codes: tuple[str, ...] = ()
    labels: Mapping[str, str] = field(default_factory=dict)
    links: tuple[str, ...] = ()
    details: Mapping[str, Any] = field(default_factory=dict)
    occurred_at: datetime | None = None


class SenderAdapter(Protocol):
    """Parses one sender's webhook bodies."""

    # The integration `type` in the configuration that selects this adapter.
    type: ClassVar[str]
    # The sender's severity words (lower-case) to ours; an integration's severity_map overrides.
    default_severities: ClassVar[Mapping[str, Severity]]

    def parse(self, payload: Any) -> list[ParsedAlert]:
        """The alerts in the body; PayloadError naming the field when it does not fit."""
        ...

    def body_token(self, payload: Any) -> str | None:
        """A token the sender carries in its body (for senders that cannot set headers)."""
        ...

    def verify_signature(self, raw: bytes, headers: Mapping[str, str], secret: str) -> None:
        """Raise SignatureError unless the body is signed with `secret` (signing senders only)."""
        ...


class AdapterDefaults:
    """Defaults for the optional parts of the interface."""

    def body_token(self, payload: Any) -> str | None:
        """No token in the body."""
        return None

    def verify_signature(self, raw: bytes, headers: Mapping[str, str], secret: str) -> None:
        """Senders without signatures accept any body once the token matched."""
        return


def require(payload: Mapping[str, Any], key: str, where: str = "") -> Any:
    """`payload[key]`, or PayloadError naming the missing field."""
    if key not in payload or payload[key] is None:
        raise PayloadError(f"{where}{key}", "required field is missing")
    return payload[key]


def as_mapping(value: Any, where: str) -> Mapping[str, Any]:
    """`value` if it is a JSON object, else PayloadError."""
    if not isinstance(value, dict):
        raise PayloadError(where or "(body)", f"expected a JSON object, got {type(value).__name__}")
    return value


def string_labels(value: Any, where: str) -> dict[str, str]:
    """A JSON object of labels as strings; non-string values are rendered as JSON text."""
    if value is None:
        return {}
    mapping = as_mapping(value, where)
    return {str(k): v if isinstance(v, str) else _text(v) for k, v in mapping.items()}


def _text(value: Any) -> str:
    return json.dumps(value, sort_keys=True, default=str)


def derived_dedup_key(*parts: str | None) -> str:
    """A stable key from the parts that identify a condition, for senders that give none."""
    basis = "\x1f".join(p or "" for p in parts).encode()
    return "derived:" + hashlib.sha256(basis).hexdigest()[:32]


_ZERO_TIME_YEAR = 1


def labels_dedup_key(labels: Mapping[str, str]) -> str:
    """Alertmanager's identity of an alert is its label set; the key for alerts without one."""
    return derived_dedup_key(*(f"{k}={v}" for k, v in sorted(labels.items())))


def optional_text(value: Any, where: str) -> str | None:
    """A string field that may be absent (None); any other type is a PayloadError."""
    if value is None or isinstance(value, str):
        return value
    raise PayloadError(where, f"expected a string, got {type(value).__name__}")


def timestamp(value: Any, where: str) -> datetime | None:
    """An RFC 3339 time, None when absent or Alertmanager's zero time; naive times read as UTC."""
    text = optional_text(value, where)
    if not text:
        return None
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError as exc:
        raise PayloadError(where, f"not an ISO 8601 time: {text[:64]!r}") from exc
    if parsed.year == _ZERO_TIME_YEAR:
        return None
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=UTC)
