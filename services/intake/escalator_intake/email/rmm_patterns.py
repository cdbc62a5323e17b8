"""Alert emails of email-only RMMs (N-central, Kaseya, ConnectWise Automate) as `ParsedAlert`s.

Each RMM formats its alert mail differently, and every MSP edits the templates, so the format is
configuration: an `EmailAlertPattern` selects emails by sender and reads the alert's client,
device, service and state from the subject (named groups) and from "Label: value" lines of the
body (one regex per field). `parse_rmm_email` uses the first pattern whose sender selector
matches; when that pattern cannot find a state it knows, or neither a device nor a service, the
email is not an alert by that pattern and the result is None (the caller treats it as ordinary
mail, so nothing is lost).

The dedup key `email:<pattern>:<client>:<device>:<service>` (lower-case) is shared by the failure
and the recovery email of one condition, so the recovery resolves the ticket the failure opened.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Final

from escalator_intake.adapters.base import ParsedAlert
from escalator_intake.email.message import InboundEmail
from escalator_shared.config.email import (
    FIELD_NAMES,
    SUBJECT_GROUPS,
    EmailAlertPattern,
    compile_pattern,
)
from escalator_shared.events import AlertStatus

__all__ = [
    "DEFAULT_PATTERNS",
    "FIELD_NAMES",
    "SUBJECT_GROUPS",
    "EmailAlertPattern",
    "parse_rmm_email",
]

TITLE_LIMIT: Final = 1024


def parse_rmm_email(
    email: InboundEmail, patterns: Iterable[EmailAlertPattern]
) -> ParsedAlert | None:
    """The alert in `email` by the first pattern selecting its sender; None if it is not one."""
    for pattern in patterns:
        if pattern.selects(email.from_name, email.from_address):
            return _parse(email, pattern)
    return None


def _parse(email: InboundEmail, pattern: EmailAlertPattern) -> ParsedAlert | None:
    fields = _fields(email, pattern)
    state = fields.get("state", "")
    status = _status(state, pattern)
    device, service, client = fields.get("device"), fields.get("service"), fields.get("client")
    if status is None or not (device or service):
        return None
    key = ":".join(["email", pattern.name, client or "", device or "", service or ""]).lower()
    labels = {"client": client, "service": service, "state": state, "pattern": pattern.name}
    details: dict[str, str] = {"pattern": pattern.name, "from": email.from_address or ""}
    if email.message_id:
        details["message_id"] = email.message_id
    return ParsedAlert(
        dedup_key=key,
        status=status,
        title=_title(email.subject, device, service, state)[:TITLE_LIMIT],
        raw_severity=_severity(state, pattern.severity_by_state),
        description=email.text,
        device=device,
        error_codes=tuple(c for c in re.split(r"[,;\s]+", fields.get("error_code", "")) if c),
        labels={k: v for k, v in labels.items() if v},
        details=details,
        occurred_at=_time(fields.get("time")) or email.date,
    )


def _fields(email: InboundEmail, pattern: EmailAlertPattern) -> dict[str, str]:
    """Subject groups, then body fields over them; empty values are left out."""
    found: dict[str, str] = {}
    if pattern.subject_regex:
        match = compile_pattern(pattern.subject_regex, "").search(email.subject)
        if match:
            found.update({k: v.strip() for k, v in match.groupdict().items() if v and v.strip()})
    for field, regex in pattern.body_fields.items():
        match = compile_pattern(regex, "").search(email.text)
        if match and match.group(1) and match.group(1).strip():
            found[field] = match.group(1).strip()
    return found


def _status(state: str, pattern: EmailAlertPattern) -> AlertStatus | None:
    word = state.strip().casefold()
    if not word:
        return None
    if word in {s.casefold() for s in pattern.resolved_states}:
        return AlertStatus.RESOLVED
    if word in {s.casefold() for s in pattern.firing_states}:
        return AlertStatus.FIRING
    return None


def _severity(state: str, by_state: Mapping[str, str]) -> str | None:
    word = state.strip().casefold()
    for key, severity in by_state.items():
        if key.casefold() == word:
            return severity
    return word or None


_LEADING_BRACKET = re.compile(r"^\s*\[[^\]]*\]\s*")


def _title(subject: str, device: str | None, service: str | None, state: str) -> str:
    title = _LEADING_BRACKET.sub("", subject, count=1).strip()
    if title:
        return title
    return " ".join(p for p in (service or "Alert", "on" if device else "", device, state) if p)


_UTC_SUFFIX = re.compile(r"\s*(?:UTC|GMT|Z)\s*$", re.IGNORECASE)


def _time(text: str | None) -> datetime | None:
    """An ISO 8601 time or `YYYY-MM-DD HH:MM:SS UTC` (naive times read as UTC); else RFC 5322."""
    if not text:
        return None
    value = text.strip()
    for candidate in (value, _UTC_SUFFIX.sub("", value)):
        try:
            parsed = datetime.fromisoformat(candidate)
        except ValueError:
            continue
        return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=UTC)
    try:
        parsed = parsedate_to_datetime(value)
    except Exception:  # any unreadable time falls back to the email's Date
        return None
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=UTC)


def _line(*labels: str, value: str = r"(.+?)") -> str:
    """A body line `Label: value` for any of `labels`, the value up to the line's end."""
    names = "|".join(labels)
    return rf"^[ \t]*(?:{names})[ \t]*:[ \t]*{value}[ \t]*$"


# N-central's default notification: subject "[FAILED] Client - DEVICE - Service - State" and a
# body of "Label: value" lines (verified against the sample in tests/fixtures/email/).
NCENTRAL = EmailAlertPattern(
    name="ncentral",
    from_regex=r"n-?central",
    subject_regex=(
        r"^\s*\[(?P<state>[^\]]+)\]\s*(?P<client>.+?)\s+-\s+(?P<device>\S+)\s+-\s+"
        r"(?P<service>.+?)(?:\s+-\s+[^-]+?)?\s*$"
    ),
    body_fields={
        "client": _line("Customer", "Client"),
        "device": _line("Device"),
        "service": _line("Service"),
        "state": _line("State"),
        "error_code": _line("Error code", value=r"(\S+)"),
        "time": _line("Time"),
    },
    firing_states=("Failed", "Warning", "Misconfigured", "Disconnected", "No Data", "Stale"),
    resolved_states=("Normal", "OK", "Succeeded"),
    severity_by_state={
        "failed": "major",
        "warning": "warning",
        "misconfigured": "minor",
        "disconnected": "major",
        "no data": "warning",
        "stale": "warning",
        "normal": "info",
        "ok": "info",
        "succeeded": "info",
    },
)

# Kaseya VSA: UNVERIFIED against real Kaseya mail. Kaseya's alert emails are built from
# per-alert templates with tokens (<id> machine id "device.group.org", <gr> machine group, <at>
# alert time), so this assumes a template with "Machine ID:", "Group:"/"Organization:",
# "Monitor:"/"Alert Type:", "Status:" and "Alarm Time:" lines. Check it against your VSA's mail.
KASEYA_VSA = EmailAlertPattern(
    name="kaseya-vsa",
    from_regex=r"kaseya|\bvsa\b",
    subject_regex=(
        r"^\s*(?:\[(?P<state>[^\]]+)\]\s*)?(?:Kaseya\s+)?(?:Monitor(?:ing)?\s+)?(?:Alarm|Alert)"
        r"\s*[:-]\s*(?P<service>.+?)\s+(?:on|for)\s+(?P<device>[\w-]+)(?:\.(?P<client>[\w.-]+))?"
        r"\s*$"
    ),
    body_fields={
        "device": _line("Machine ID", "Machine", "Agent", value=r"([\w-]+)[\w.-]*"),
        "client": _line("Organi[sz]ation", "Machine Group", "Group"),
        "service": _line("Monitor", "Alert Type", "Alarm Type", "Service"),
        "state": _line("Status", "State", "Alarm State"),
        "error_code": _line("Error code", "Error", value=r"(\S+)"),
        "time": _line("Alarm Time", "Alert Time", "Time"),
    },
    firing_states=("Alarm", "Failed", "Failure", "Down", "Offline", "Critical", "Warning"),
    resolved_states=("OK", "Normal", "Cleared", "Resolved", "Up", "Online", "Succeeded"),
    severity_by_state={
        "alarm": "major",
        "failed": "major",
        "failure": "major",
        "down": "critical",
        "offline": "major",
        "critical": "critical",
        "warning": "warning",
    },
)

DEFAULT_PATTERNS: Final[tuple[EmailAlertPattern, ...]] = (NCENTRAL, KASEYA_VSA)
