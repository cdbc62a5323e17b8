"""What the notifier's end-to-end tests share: Slack, Teams and SMS stand-ins the running
system is configured to reach, and reading the delivery records."""

from __future__ import annotations

from typing import Any

import httpx
import yaml

from tests.e2e.conftest import STAFF_TOKEN, RunningSystem
from tests.harness.chat_receivers import ChatReceivers
from tests.harness.environment import REPO

SMS_ACCOUNT = "AC" + "0" * 32
SMS_TOKEN = "test-sms-auth-token"


def notifications_to(chat: ChatReceivers, **changes: Any) -> dict[str, Any]:
    """The example's notification policy, its providers at the stand-ins, with `changes`."""
    example = yaml.safe_load((REPO / "deploy/config/example.yaml").read_text())
    policy: dict[str, Any] = example["notifications"]
    policy["sms"] = {
        "base_url": chat.sms_base_url,
        "account_sid": SMS_ACCOUNT,
        "from_number": "+15005550006",
    }
    policy["webhooks"] = {"slack": chat.slack_url, "teams": chat.teams_url}
    policy.update(changes)
    return policy


def deliveries(system: RunningSystem, ticket_id: str) -> list[dict[str, Any]]:
    """The notifier's delivery records of a ticket."""
    with httpx.Client(base_url=system.services["notifier"].url, timeout=10) as client:
        response = client.get(
            "/v1/deliveries",
            params={"ticket_id": ticket_id},
            headers={"Authorization": f"Bearer {STAFF_TOKEN}"},
        )
    assert response.status_code == 200, response.text
    records: list[dict[str, Any]] = response.json()
    return records
