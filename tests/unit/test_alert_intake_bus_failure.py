"""When Kafka does not take a sender's alerts, the sender gets a 503 it can retry, not a crash."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import cast

import pytest
from aiokafka.errors import KafkaTimeoutError

from escalator_intake.alert_intake import AlertIntake
from escalator_intake.rejected_store import RejectedStore
from escalator_shared.bus.producer import EventProducer
from escalator_shared.config import load_config
from escalator_shared.events import Severity, Topics
from escalator_shared.http.errors import ApiError

INTEGRATION_TOKEN = "dev-token-acme-monitoring"
EXAMPLE_CONFIG = Path(__file__).parents[2] / "deploy/config/example.yaml"


class _TimingOutProducer(EventProducer):
    def __init__(self) -> None:
        super().__init__("unused:9092", "tests")
        self.attempts = 0

    async def send_many(self, messages: Sequence[tuple[str, str, bytes]]) -> None:
        self.attempts += 1
        raise KafkaTimeoutError()


def _intake(producer: EventProducer) -> AlertIntake:
    rejected = cast(RejectedStore, None)  # a 503 is not a rejected body: never touched
    return AlertIntake(
        load_config(EXAMPLE_CONFIG), producer, Topics("t."), rejected, max_body_bytes=1 << 20
    )


async def test_a_bus_timeout_is_a_503_with_retry_after_naming_what_happened() -> None:
    producer = _TimingOutProducer()
    intake = _intake(producer)
    integration = intake.integration("acme-monitoring")
    body = b'{"title": "Disk C: 95% full", "severity": "major", "dedup_key": "disk-c"}'

    with pytest.raises(ApiError) as raised:
        await intake.receive(integration, body, INTEGRATION_TOKEN, {})

    assert producer.attempts == 1
    assert raised.value.status == 503
    assert raised.value.code == "not_durable"
    assert "KafkaTimeoutError" in raised.value.message
    assert raised.value.headers == {"Retry-After": "5"}


async def test_a_drill_that_the_bus_did_not_take_is_a_503_too() -> None:
    intake = _intake(_TimingOutProducer())
    with pytest.raises(ApiError) as raised:
        await intake.drill("acme", "Drill", Severity.CRITICAL, {}, "dana")
    assert raised.value.status == 503
