"""Accepting a sender's request: authenticate, verify, parse, map, and make durable on Kafka.

Routes call `AlertIntake` and translate its errors into HTTP answers; nothing here touches the
database, so the request path stays lean (validate, produce, answer).
"""

from __future__ import annotations

import hmac
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from escalator_intake.adapters.base import PayloadError, SenderAdapter, SignatureError
from escalator_intake.adapters.registry import adapter_for
from escalator_intake.domain.canonical import (
    alert_message_key,
    canonical_alert,
    known_clients,
    resolve_client,
    resolve_severity,
)
from escalator_shared.bus.producer import EventProducer
from escalator_shared.config import EscalatorConfig, Integration
from escalator_shared.events import Envelope, Topics, new_id, utc_now
from escalator_shared.http.errors import ApiError


@dataclass(frozen=True)
class Accepted:
    """One alert made durable."""

    alert_id: str
    dedup_key: str
    client_id: str


class AlertIntake:
    """The request path of every sender."""

    def __init__(self, config: EscalatorConfig, producer: EventProducer, topics: Topics) -> None:
        self._config = config
        self._producer = producer
        self._topics = topics
        self._clients = known_clients(config)
        self._by_routing_key = {
            i.token.get_secret_value(): i for i in config.integrations if i.type == "pagerduty"
        }

    def integration(self, integration_id: str) -> Integration:
        """The configured integration, or 404."""
        integration = self._config.integration(integration_id)
        if integration is None:
            raise ApiError(404, "unknown_integration", f"no integration named {integration_id!r}")
        return integration

    def by_routing_key(self, routing_key: str) -> Integration:
        """The PagerDuty-type integration whose token is this routing key, or 400 as PD does."""
        for key, integration in self._by_routing_key.items():
            if hmac.compare_digest(key.encode(), routing_key.encode()):
                return integration
        raise ApiError(400, "invalid_routing_key", "routing_key matches no pagerduty integration")

    def authenticate(self, integration: Integration, token: str | None, payload: Any) -> None:
        """The header/query token, or the sender's body token, must be the integration's."""
        offered = token or adapter_for(integration.type).body_token(payload)
        if offered is None:
            raise ApiError(
                401,
                "missing_token",
                "send the integration's token as 'Authorization: Bearer <token>' or ?token=",
                headers={"WWW-Authenticate": "Bearer"},
            )
        expected = integration.token.get_secret_value()
        if not hmac.compare_digest(offered.encode(), expected.encode()):
            raise ApiError(
                401,
                "invalid_token",
                f"the token is not valid for {integration.id!r}",
                headers={"WWW-Authenticate": "Bearer"},
            )

    def verify_signature(
        self, integration: Integration, raw: bytes, headers: Mapping[str, str]
    ) -> None:
        """For integrations with a signing secret: 401 unless the body's signature matches."""
        if integration.signing_secret is None:
            return
        try:
            adapter_for(integration.type).verify_signature(
                raw, headers, integration.signing_secret.get_secret_value()
            )
        except SignatureError as exc:
            raise ApiError(401, "invalid_signature", str(exc)) from exc

    async def accept(self, integration: Integration, payload: Any) -> list[Accepted]:
        """Parse and map the alerts, produce them all, and wait until Kafka acknowledged each."""
        adapter: SenderAdapter = adapter_for(integration.type)
        try:
            parsed = adapter.parse(payload)
        except PayloadError as exc:
            raise ApiError(422, "invalid_alert", f"the alert is not valid: {exc}") from exc
        received_at = utc_now()
        accepted: list[Accepted] = []
        messages: list[tuple[str, str, bytes]] = []
        for alert in parsed:
            client_id = resolve_client(alert, integration, self._clients)
            severity = resolve_severity(alert.raw_severity, adapter.default_severities, integration)
            alert_id = new_id()
            event = canonical_alert(alert, integration, severity, alert_id, received_at)
            envelope = Envelope.wrap(
                event, ticket_id=alert_id, client_id=client_id, producer="intake"
            )
            key = alert_message_key(integration.id, event.dedup_key)
            messages.append((self._topics.alerts, key, envelope.to_bytes()))
            accepted.append(Accepted(alert_id, event.dedup_key, client_id))
        await self._producer.send_many(messages)
        return accepted


def parse_json(raw: bytes) -> Any:
    """The body as JSON, or 400 naming the problem."""
    if not raw:
        raise ApiError(400, "empty_body", "the body is empty; send a JSON object")
    try:
        return json.loads(raw)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise ApiError(400, "invalid_json", f"the body is not valid JSON: {exc}") from exc
