"""From a sender's parsed alert to the canonical AlertReceived: client, severity, dedup scope."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from escalator_intake.adapters.base import ParsedAlert
from escalator_shared.config import EscalatorConfig, Integration
from escalator_shared.events import AlertReceived, Severity


class ForeignClientError(ValueError):
    """The alert's client label names a client the integration may not speak for."""


def resolve_client(parsed: ParsedAlert, integration: Integration) -> str:
    """The client named by the integration's client label, mapped; else its default client.

    A label naming anything but one of the clients the integration speaks for is refused
    (ForeignClientError): one client's monitoring must not open tickets for another.
    """
    if integration.client_label:
        value = parsed.labels.get(integration.client_label)
        if value is not None and value != "":
            candidate = integration.clients_by_value.get(value, value)
            if candidate not in integration.speaks_for:
                allowed = ", ".join(sorted(integration.speaks_for))
                raise ForeignClientError(
                    f"label {integration.client_label}={value!r} names no client "
                    f"{integration.id} may speak for (it may speak for: {allowed})"
                )
            return candidate
    return integration.client


def resolve_severity(
    raw: str | None, defaults: Mapping[str, Severity], integration: Integration
) -> Severity:
    """The integration's mapping first, then the adapter's; unknown words count as warnings."""
    word = (raw or "").strip().lower()
    if word in integration.severity_map:
        return integration.severity_map[word]
    return defaults.get(word, Severity.WARNING)


def canonical_alert(
    parsed: ParsedAlert,
    integration: Integration,
    severity: Severity,
    alert_id: str,
    received_at: datetime,
) -> AlertReceived:
    """The event intake produces for one accepted alert."""
    return AlertReceived(
        alert_id=alert_id,
        integration=integration.id,
        source=integration.type,
        external_id=parsed.external_id,
        dedup_key=parsed.dedup_key,
        status=parsed.status,
        severity=severity,
        title=parsed.title[:1024],
        description=parsed.description,
        device=parsed.device,
        error_codes=list(parsed.error_codes),
        labels=dict(parsed.labels),
        links=list(parsed.links),
        details=dict(parsed.details),
        occurred_at=parsed.occurred_at or received_at,
    )


def known_clients(config: EscalatorConfig) -> frozenset[str]:
    """Ids of every configured client."""
    return frozenset(c.id for c in config.clients)


def alert_message_key(integration_id: str, dedup_key: str) -> str:
    """The Kafka key of an alert: every alert of one condition lands on one partition, in order."""
    return f"{integration_id}\x1f{dedup_key}"
