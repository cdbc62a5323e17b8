"""A notifier split in two processes: one turns events into queued deliveries, the other sends
them, woken across processes by PostgreSQL's LISTEN/NOTIFY rather than by its (here
minute-long) poll."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from tests.e2e.conftest import STAFF_TOKEN, RunningSystem
from tests.e2e.notifier_system import SMS_ACCOUNT, SMS_TOKEN, notifications_to
from tests.harness.chat_receivers import ChatReceivers
from tests.harness.isolation import unique_suffix
from tests.harness.processes import ServiceProcess
from tests.harness.waiting import eventually

pytestmark = pytest.mark.e2e

SMS_PATH = f"/sms/2010-04-01/Accounts/{SMS_ACCOUNT}/Messages.json"
BOB_PHONE = "+447700900456"
SENT = 'escalator_notifications_total{channel="sms",outcome="sent"}'


@pytest.fixture(scope="module")
def config_overrides(chat: ChatReceivers) -> dict[str, Any]:
    """The providers at the stand-ins; no rate limits to get in the way."""
    no_limits = dict.fromkeys(["sms", "slack", "teams", "webhook", "email"])
    return {"notifications": notifications_to(chat, rate_limits=no_limits)}


@pytest.fixture(scope="module")
def service_env_overrides() -> dict[str, str]:
    """The SMS token."""
    return {"ESCALATOR_SMS_AUTH_TOKEN": SMS_TOKEN}


@pytest.fixture(scope="module")
def split(system: RunningSystem) -> Iterator[dict[str, ServiceProcess]]:
    """The system's notifier replaced by a consuming-only and a sending-only instance."""
    combined = system.services["notifier"]
    combined.stop()
    roles = {
        "consumer": {"ESCALATOR_DELIVERY_WORKER": "false"},
        # Only a notification can wake it within the test: its poll waits a minute.
        "sender": {"ESCALATOR_CONSUMERS": "false", "ESCALATOR_DELIVERY_POLL_SECONDS": "60"},
    }
    instances = {
        role: ServiceProcess("notifier", {**combined.env, **env}, combined.log_dir / role)
        for role, env in roles.items()
    }
    try:
        for instance in instances.values():
            instance.log_dir.mkdir(parents=True, exist_ok=True)
            instance.start()
            instance.wait_ready()
        yield instances
    finally:
        for instance in instances.values():
            instance.stop()
        combined.start()
        combined.wait_ready()


def _metric(instance: ServiceProcess, sample: str) -> float:
    text = httpx.get(f"{instance.url}/metrics", timeout=10).text
    values = [line.rsplit(" ", 1)[1] for line in text.splitlines() if line.startswith(sample)]
    return float(values[0]) if values else 0.0


def test_a_page_queued_by_one_instance_is_sent_by_the_other_at_once(
    system: RunningSystem, chat: ChatReceivers, split: dict[str, ServiceProcess]
) -> None:
    title = f"Split notifier {unique_suffix()}"
    ticket_id = system.post_alert({"title": title, "severity": "critical"})
    eventually(
        lambda: any(
            r.body["To"] == BOB_PHONE and title in r.body["Body"] for r in chat.received(SMS_PATH)
        ),
        20,
        "the sending instance never sent Bob's SMS page",
    )
    assert _metric(split["sender"], SENT) >= 1
    assert _metric(split["consumer"], SENT) == 0  # it has no worker
    # Either instance serves the delivery records from the shared table.
    response = httpx.get(
        f"{split['consumer'].url}/v1/deliveries",
        params={"ticket_id": ticket_id},
        headers={"Authorization": f"Bearer {STAFF_TOKEN}"},
        timeout=10,
    )
    assert response.status_code == 200, response.text
    sent = {(d["recipient"], d["channel"]) for d in response.json() if d["status"] == "sent"}
    assert ("bob", "sms") in sent
