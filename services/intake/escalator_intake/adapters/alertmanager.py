"""Prometheus Alertmanager's webhook (version 4): one alert per element of `alerts[]`.

Grafana's contact point posts the same shape; `GrafanaAdapter` subclasses this one and only adds
its extra fields through the two hooks `_group_details` and `_alert_extras`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

from escalator_intake.adapters.base import (
    AdapterDefaults,
    ParsedAlert,
    PayloadError,
    as_mapping,
    labels_dedup_key,
    optional_text,
    require,
    string_labels,
    timestamp,
)
from escalator_shared.events import AlertStatus, Severity

TITLE_LIMIT = 1024
DEDUP_KEY_LIMIT = 255

# Alertmanager's Go zero time: "no end yet" on a firing alert.

_STATUSES = {"firing": AlertStatus.FIRING, "resolved": AlertStatus.RESOLVED}

# Fields of the group (top level) that are mapped or redundant; all others land in details.
_GROUP_FIELDS = frozenset(
    {
        "version",
        "status",
        "alerts",
        "groupLabels",
        "commonLabels",
        "commonAnnotations",
        "groupKey",
        "receiver",
        "externalURL",
        "truncatedAlerts",
    }
)
# Fields of one alert that are mapped; all others land in details.
_ALERT_FIELDS = frozenset(
    {"status", "labels", "annotations", "startsAt", "endsAt", "generatorURL", "fingerprint"}
)


class AlertmanagerAdapter(AdapterDefaults):
    """Alertmanager webhook v4; every element of `alerts[]` is one alert."""

    type: ClassVar[str] = "alertmanager"
    default_severities: ClassVar[Mapping[str, Severity]] = {
        "critical": Severity.CRITICAL,
        "page": Severity.CRITICAL,
        "error": Severity.MAJOR,
        "major": Severity.MAJOR,
        "warning": Severity.WARNING,
        "minor": Severity.MINOR,
        "info": Severity.INFO,
        "none": Severity.INFO,
    }
    # The `version` values this sender's body may carry.
    versions: ClassVar[frozenset[str]] = frozenset({"4"})
    # Group fields that are the sender's own and mapped by `_group_details`.
    own_group_fields: ClassVar[frozenset[str]] = frozenset()
    # Alert fields that are the sender's own and mapped by `_alert_extras`.
    own_alert_fields: ClassVar[frozenset[str]] = frozenset()

    def parse(self, payload: Any) -> list[ParsedAlert]:
        """One ParsedAlert per element of `alerts[]`."""
        body = as_mapping(payload, "")
        version = require(body, "version")
        if not isinstance(version, str) or version not in self.versions:
            expected = " or ".join(f'"{v}"' for v in sorted(self.versions))
            raise PayloadError("version", f"expected {expected}, got {version!r}")
        alerts = require(body, "alerts")
        if not isinstance(alerts, list):
            raise PayloadError("alerts", f"expected a JSON array, got {type(alerts).__name__}")
        group = self._group_details(body)
        return [self._alert(alert, f"alerts[{i}]", group) for i, alert in enumerate(alerts)]

    def _group_details(self, body: Mapping[str, Any]) -> dict[str, Any]:
        """Details every alert of the group carries: the group's fields and unknown extras."""
        known = _GROUP_FIELDS | self.own_group_fields
        details = {k: v for k, v in body.items() if k not in known}
        for key in ("groupKey", "receiver", "externalURL", "truncatedAlerts"):
            if key in body:
                details[key] = body[key]
        return details

    def _alert_extras(
        self, alert: Mapping[str, Any], where: str
    ) -> tuple[list[str], dict[str, Any]]:
        """The sender's own links and details of one alert (none for Alertmanager)."""
        return [], {}

    def _alert(self, value: Any, where: str, group: Mapping[str, Any]) -> ParsedAlert:
        alert = as_mapping(value, where)
        status_word = require(alert, "status", f"{where}.")
        if not isinstance(status_word, str) or status_word not in _STATUSES:
            raise PayloadError(
                f"{where}.status", f"expected firing or resolved, got {status_word!r}"
            )
        status = _STATUSES[status_word]
        labels = string_labels(alert.get("labels"), f"{where}.labels")
        annotations = dict(string_labels(alert.get("annotations"), f"{where}.annotations"))
        summary = optional_text(annotations.pop("summary", None), f"{where}.annotations.summary")
        description = optional_text(
            annotations.pop("description", None), f"{where}.annotations.description"
        )
        title = summary or labels.get("alertname")
        if not title:
            raise PayloadError(
                f"{where}.labels.alertname", "required when annotations.summary is missing"
            )
        fingerprint = optional_text(alert.get("fingerprint"), f"{where}.fingerprint")
        if fingerprint is not None and len(fingerprint) > DEDUP_KEY_LIMIT:
            raise PayloadError(f"{where}.fingerprint", f"longer than {DEDUP_KEY_LIMIT} characters")
        starts_at = timestamp(alert.get("startsAt"), f"{where}.startsAt")
        ends_at = timestamp(alert.get("endsAt"), f"{where}.endsAt")
        generator_url = optional_text(alert.get("generatorURL"), f"{where}.generatorURL")
        extra_links, extra_details = self._alert_extras(alert, where)
        known = _ALERT_FIELDS | self.own_alert_fields
        details: dict[str, Any] = {
            **annotations,
            **{k: v for k, v in alert.items() if k not in known},
            **extra_details,
            **group,
        }
        return ParsedAlert(
            dedup_key=fingerprint or labels_dedup_key(labels),
            status=status,
            title=title[:TITLE_LIMIT],
            raw_severity=labels.get("severity"),
            description=description or "",
            external_id=fingerprint,
            device=labels.get("instance") or labels.get("host") or None,
            error_codes=(labels["error_code"],) if labels.get("error_code") else (),
            labels=labels,
            links=tuple(([generator_url] if generator_url else []) + extra_links),
            details=details,
            occurred_at=starts_at if status is AlertStatus.FIRING else ends_at,
        )
