"""A storm of 500 critical alerts for one client: each person gets a bounded number of
messages per channel (the rate limit, then bundles), and nothing is lost on the way."""

from __future__ import annotations

import re
import time
from typing import Any

import httpx
import pytest

from tests.e2e.conftest import INTEGRATION, INTEGRATION_TOKEN, RunningSystem
from tests.e2e.notifier_system import SMS_ACCOUNT, SMS_TOKEN, notifications_to
from tests.harness.chat_receivers import ChatReceivers
from tests.harness.isolation import unique_suffix
from tests.harness.waiting import eventually

SMS_PATH = f"/sms/2010-04-01/Accounts/{SMS_ACCOUNT}/Messages.json"
BOB_PHONE = "+447700900456"
ALERTS = 500
SMS_LIMIT = 5
BUNDLE_WAIT = 20.0
MORE = re.compile(r"(\d+) more notifications")


@pytest.fixture(scope="module")
def config_overrides(chat: ChatReceivers) -> dict[str, Any]:
    """The providers at the stand-ins; SMS limited to five, bundles held up to 20 s."""
    return {
        "notifications": notifications_to(
            chat,
            rate_limits={
                "sms": {"max": SMS_LIMIT, "per": "15m"},
                "slack": {"max": 10, "per": "5m"},
                "email": {"max": 20, "per": "10m"},
            },
            bundle_wait=f"{BUNDLE_WAIT:g}s",
        )
    }


@pytest.fixture(scope="module")
def service_env_overrides() -> dict[str, str]:
    """The SMS provider's token."""
    return {"ESCALATOR_SMS_AUTH_TOKEN": SMS_TOKEN}


def _post_storm(system: RunningSystem, run: str) -> None:
    with httpx.Client(base_url=system.services["intake"].url, timeout=30) as client:
        for n in range(ALERTS):
            response = client.post(
                f"/v1/webhooks/{INTEGRATION}",
                json={
                    "title": f"Storm {run}: service down on srv-{n}",
                    "severity": "critical",
                    "device": f"srv-{run}-{n}",
                },
                headers={"Authorization": f"Bearer {INTEGRATION_TOKEN}"},
            )
            assert response.status_code == 202, response.text


def _bundled_count(chat: ChatReceivers, prefix: str, to: str | None = None) -> tuple[int, int]:
    """(individual messages, messages counted in bundles) received under `prefix`."""
    single, folded = 0, 0
    for request in chat.received(prefix):
        if to is not None and request.body.get("To") != to:
            continue
        text = request.body.get("Body") or request.body.get("text") or ""
        found = MORE.search(text)
        if found:
            folded += int(found.group(1))
        else:
            single += 1
    return single, folded


def test_a_storm_of_500_alerts_reaches_each_person_in_a_bounded_number_of_messages(
    system: RunningSystem, chat: ChatReceivers
) -> None:
    run = unique_suffix()
    started = time.monotonic()
    _post_storm(system, run)
    # Every ticket pages Bob (L2 on call) once at least: each page is a message of its own or
    # is counted in a bundle ("37 more notifications"), once the bundles have gone out.
    eventually(
        lambda: sum(_bundled_count(chat, SMS_PATH, BOB_PHONE)) >= ALERTS,
        240,
        "not every page to Bob is accounted for in his SMS",
        detail=lambda: str(_bundled_count(chat, SMS_PATH, BOB_PHONE)),
    )
    elapsed = time.monotonic() - started
    texts = [r for r in chat.received(SMS_PATH) if r.body.get("To") == BOB_PHONE]
    single, folded = _bundled_count(chat, SMS_PATH, BOB_PHONE)
    bundles = len(texts) - single
    # Five individual texts, then at most one bundle per bundle_wait.
    assert single == SMS_LIMIT
    assert 1 <= bundles <= elapsed / BUNDLE_WAIT + 1
    assert folded >= ALERTS - SMS_LIMIT
    slack_single, _ = _bundled_count(chat, "/slack/")
    assert slack_single <= 10
    assert len(texts) < 20  # instead of 500 and more
