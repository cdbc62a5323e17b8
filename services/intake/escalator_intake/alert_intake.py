"""Accepting a sender's request: authenticate, verify, parse, map, and make durable on Kafka.

Routes call `AlertIntake` and translate its errors into HTTP answers; nothing here touches the
database, so the request path stays lean (validate, produce, answer).
"""

from __future__ import annotations

import hmac
import math
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from aiokafka.errors import KafkaError

from escalator_intake.adapters.base import PayloadError, SenderAdapter, SignatureError
from escalator_intake.adapters.registry import adapter_for
from escalator_intake.domain.canonical import (
    ForeignClientError,
    alert_message_key,
    canonical_alert,
    known_clients,
    resolve_client,
    resolve_severity,
)
from escalator_intake.domain.rate_limit import RateLimiter
from escalator_intake.rejected_store import RejectedStore
from escalator_shared.bus.producer import EventProducer
from escalator_shared.config import EscalatorConfig, Integration, token_digest
from escalator_shared.events import (
    AlertReceived,
    AlertStatus,
    Envelope,
    Severity,
    Topics,
    new_id,
    utc_now,
)
from escalator_shared.http.errors import ApiError
from escalator_shared.http.json_body import parse_json as parse_json_body
from escalator_shared.storage_text import storage_safe

DRILL = "drill"  # the integration and source of drill tickets
_RETRY_AFTER_SECONDS = 5  # what a 503 asks a sender to wait when Kafka did not take its alerts


@dataclass(frozen=True)
class Accepted:
    """One alert made durable."""

    alert_id: str
    dedup_key: str
    client_id: str


class AlertIntake:
    """The request path of every sender."""

    def __init__(
        self,
        config: EscalatorConfig,
        producer: EventProducer,
        topics: Topics,
        rejected: RejectedStore,
        *,
        max_body_bytes: int,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._config = config
        self._producer = producer
        self._topics = topics
        self._rejected = rejected
        self._max_body_bytes = max_body_bytes
        self._limiter = RateLimiter()
        self._clock = clock
        self._clients = known_clients(config)
        self._integrations = {i.id: i for i in config.integrations}
        self._by_routing_key = {i.digest: i for i in config.integrations if i.type == "pagerduty"}

    def integration(self, integration_id: str) -> Integration:
        """The configured integration, or 404."""
        integration = self._integrations.get(integration_id)
        if integration is None:
            raise ApiError(404, "unknown_integration", f"no integration named {integration_id!r}")
        return integration

    def by_routing_key(self, routing_key: str) -> Integration:
        """The PagerDuty-type integration whose token is this routing key, or 400 as PD does."""
        integration = self._by_routing_key.get(token_digest(routing_key))
        if integration is not None:
            return integration
        raise ApiError(400, "invalid_routing_key", "routing_key matches no pagerduty integration")

    def body_limit(self, integration: Integration) -> int:
        """The largest body this integration may send."""
        return integration.max_body_bytes or self._max_body_bytes

    async def receive(
        self,
        integration: Integration,
        raw: bytes,
        token: str | None,
        headers: Mapping[str, str],
    ) -> list[Accepted]:
        """The whole request path: authenticate, rate-limit, verify, parse, produce.

        A body that an authenticated sender sent but that does not parse is kept in the rejected
        store (its id comes back in the error) for an operator to inspect and replay.
        """
        try:
            payload, json_error = parse_json(raw), None
        except ApiError as exc:
            payload, json_error = None, exc
        self.authenticate(integration, token, payload)
        self._check_rate(integration)
        self.verify_signature(integration, raw, headers)
        try:
            if json_error is not None:
                raise json_error
            return await self.accept(integration, payload)
        except ApiError as exc:
            if exc.status not in (400, 422):
                raise
            rejected_id = await self._rejected.record(
                integration.id, raw, exc.status, exc.message, headers.get("content-type")
            )
            raise ApiError(
                exc.status, exc.code, exc.message, extra={"rejected_id": rejected_id}
            ) from exc

    async def replay(self, rejected_id: str) -> list[Accepted]:
        """Run a kept body through intake again (after a fix to the configuration, say)."""
        kept = await self._rejected.get(rejected_id)
        if kept is None:
            raise ApiError(404, "not_found", f"no rejected request {rejected_id!r}")
        integration = self.integration(kept["integration"])
        try:
            accepted = await self.accept(integration, parse_json(kept["body"]))
        except ApiError as exc:
            await self._rejected.mark_replayed(rejected_id, f"refused again: {exc.message}")
            raise
        await self._rejected.mark_replayed(rejected_id, f"accepted {len(accepted)} alert(s)")
        return accepted

    def _check_rate(self, integration: Integration) -> None:
        rate = integration.rate_limit_per_second
        if rate is None:
            return
        burst = integration.rate_limit_burst or max(1, math.ceil(rate))
        wait = self._limiter.take(integration.id, rate, burst, self._clock())
        if wait is not None:
            raise ApiError(
                429,
                "rate_limited",
                f"{integration.id} is limited to {rate:g} requests per second",
                headers={"Retry-After": str(max(1, math.ceil(wait)))},
            )

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
        if not same_token(offered, integration.digest):
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
            parsed = adapter.parse(storage_safe(payload))
        except PayloadError as exc:
            raise ApiError(422, "invalid_alert", f"the alert is not valid: {exc}") from exc
        received_at = utc_now()
        accepted: list[Accepted] = []
        messages: list[tuple[str, str, bytes]] = []
        for alert in parsed:
            try:
                client_id = resolve_client(alert, integration)
            except ForeignClientError as exc:
                raise ApiError(422, "foreign_client", str(exc)) from exc
            severity = resolve_severity(alert.raw_severity, adapter.default_severities, integration)
            alert_id = new_id()
            event = canonical_alert(alert, integration, severity, alert_id, received_at)
            messages.append(self._message(event, client_id))
            accepted.append(Accepted(alert_id, event.dedup_key, client_id))
        await self._make_durable(messages)
        return accepted

    async def drill(
        self, client_id: str, title: str, severity: Severity, labels: dict[str, str], by: str
    ) -> Accepted:
        """A synthetic, clearly marked alert for a client's chain, made durable like any other."""
        if client_id not in self._clients:
            raise ApiError(422, "unknown_client", f"no client {client_id!r}")
        alert_id = new_id()
        event = AlertReceived(
            alert_id=alert_id,
            integration=DRILL,
            source=DRILL,
            dedup_key=f"drill-{alert_id}",
            status=AlertStatus.FIRING,
            severity=severity,
            title=f"[DRILL] {title}"[:1024],
            labels=labels,
            description=(
                f"Escalation drill started by {by}: acknowledge it as you would a real one."
            ),
            occurred_at=utc_now(),
            drill=True,
        )
        await self._make_durable([self._message(event, client_id)])
        return Accepted(alert_id, event.dedup_key, client_id)

    async def _make_durable(self, messages: list[tuple[str, str, bytes]]) -> None:
        """Produce and await the acknowledgements; 503 with Retry-After when Kafka fails us."""
        try:
            await self._producer.send_many(messages)
        except KafkaError as exc:
            raise ApiError(
                503,
                "not_durable",
                f"the alerts could not be stored on the message bus ({type(exc).__name__}); "
                "send them again: any already stored are deduplicated by their dedup key",
                headers={"Retry-After": str(_RETRY_AFTER_SECONDS)},
            ) from exc

    def _message(self, event: AlertReceived, client_id: str) -> tuple[str, str, bytes]:
        """The alert as a Kafka message: keyed so one condition's alerts stay in order."""
        envelope = Envelope.wrap(
            event, ticket_id=event.alert_id, client_id=client_id, producer="intake"
        )
        key = alert_message_key(event.integration, event.dedup_key)
        return self._topics.alerts, key, envelope.to_bytes()


def same_token(offered: str, expected_digest: str) -> bool:
    """Whether a presented token is the one whose digest is stored, in constant time."""
    return hmac.compare_digest(token_digest(offered), expected_digest)


def parse_json(raw: bytes) -> Any:
    """The body as JSON, or 400 naming the problem (nested too deep among them)."""
    if not raw:
        raise ApiError(400, "empty_body", "the body is empty; send a JSON object")
    return parse_json_body(raw)
