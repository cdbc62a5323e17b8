"""From a real alert to pages on SMS, Slack and email; and no second page across a notifier
`kill -9` in the middle of sending."""

from __future__ import annotations

import base64
import functools
import json
import time
from collections import Counter
from typing import Any

import pytest

from tests.e2e.conftest import RunningSystem
from tests.e2e.notifier_system import SMS_ACCOUNT, SMS_TOKEN, deliveries, notifications_to
from tests.harness.chat_receivers import Answer, ChatReceivers
from tests.harness.isolation import unique_suffix
from tests.harness.waiting import eventually

SMS_PATH = f"/sms/2010-04-01/Accounts/{SMS_ACCOUNT}/Messages.json"
BOB_PHONE, CAROL_PHONE = "+447700900456", "+12125550123"


@pytest.fixture(scope="module")
def config_overrides(chat: ChatReceivers) -> dict[str, Any]:
    """The providers at the stand-ins; no rate limits to get in the way of these tests."""
    no_limits = dict.fromkeys(["sms", "slack", "teams", "webhook", "email"])
    return {"notifications": notifications_to(chat, rate_limits=no_limits)}


@pytest.fixture(scope="module")
def service_env_overrides() -> dict[str, str]:
    """The SMS token; a short lease, so a killed notifier's messages are settled soon."""
    return {"ESCALATOR_SMS_AUTH_TOKEN": SMS_TOKEN, "ESCALATOR_DELIVERY_LEASE_SECONDS": "4"}


def _about(chat: ChatReceivers, prefix: str, text: str) -> list[Any]:
    # The text as sent: in a JSON body, or in a form's (decoded) fields.
    return [r for r in chat.received(prefix) if text in json.dumps(r.body, ensure_ascii=False)]


def _texted(chat: ChatReceivers, title: str) -> set[str]:
    return {r.body["To"] for r in _about(chat, SMS_PATH, title)}


def _texted_bob(chat: ChatReceivers, title: str) -> bool:
    return BOB_PHONE in _texted(chat, title)


def _sent(records: list[dict[str, Any]]) -> set[tuple[str, str]]:
    return {(d["recipient"], d["channel"]) for d in records if d["status"] == "sent"}


def test_a_critical_alert_pages_the_on_call_engineer_on_sms_slack_and_email(
    system: RunningSystem, chat: ChatReceivers
) -> None:
    title = f"Core switch down {unique_suffix()}"
    ticket_id = system.post_alert({"title": title, "severity": "critical"})
    # Critical goes to L2 and L3 at once. Bob is on call (phone, Slack); Carol, his backup, is
    # paged too because the page is urgent.
    eventually(
        lambda: {BOB_PHONE, CAROL_PHONE} <= _texted(chat, title),
        30,
        "no SMS pages to Bob and his backup",
    )
    sms = next(r for r in _about(chat, SMS_PATH, title) if r.body["To"] == BOB_PHONE)
    assert sms.body["From"] == "+15005550006"
    assert title in sms.body["Body"]
    assert len(sms.body["Body"]) <= 306
    scheme, _, credentials = sms.headers["authorization"].partition(" ")
    assert scheme == "Basic"
    assert base64.b64decode(credentials).decode() == f"{SMS_ACCOUNT}:{SMS_TOKEN}"
    [slack] = eventually(lambda: _about(chat, "/slack/", title) or None, 30, "no Slack page")
    assert slack.json["text"].startswith("<@U01BOB> ")
    actions = [block for block in slack.json["blocks"] if block["type"] == "actions"]
    buttons = [button for block in actions for button in block["elements"]]
    assert [b["action_id"] for b in buttons] == ["acknowledge", "resolve"]
    assert all("/v1/actions/" in b["url"] for b in buttons)
    system.smtp.wait_for(f"Ticket id: {ticket_id}", within=30, to="bob@msp.example")
    wanted = {("bob", "sms"), ("bob", "slack"), ("bob", "email")}
    eventually(
        lambda: wanted <= _sent(deliveries(system, ticket_id)),
        30,
        "the delivery records do not show Bob's three pages sent",
    )
    records = deliveries(system, ticket_id)
    bob = [d for d in records if d["recipient"] == "bob" and d["status"] == "sent"]
    assert all(d["attempt_log"][-1]["outcome"] == "sent" for d in bob)
    assert all(d["repeat"] == 0 for d in bob)
    # Urgent pages repeat until acknowledged (every 5 minutes): the repeats wait in the queue.
    assert any(d["repeat"] > 0 and d["status"] == "pending" for d in records)


def test_no_page_is_sent_twice_across_a_notifier_kill_9(
    system: RunningSystem, chat: ChatReceivers
) -> None:
    run = unique_suffix()
    titles = [f"Kill test {run} {n}" for n in range(6)]
    # Slack answers slowly for a while, so messages are in flight when the notifier dies.
    chat.script("/slack/", *[Answer(delay=1.5) for _ in range(30)])
    tickets = [system.post_alert({"title": t, "severity": "critical"}) for t in titles]
    eventually(lambda: _about(chat, "/slack/", f"Kill test {run}") or None, 30, "no Slack yet")
    notifier = system.services["notifier"]
    notifier.kill()
    notifier.start()
    notifier.wait_ready()
    # Every page reaches Bob, and no SMS or Slack message comes twice.
    for title, ticket_id in zip(titles, tickets, strict=True):
        eventually(functools.partial(_texted_bob, chat, title), 60, f"no SMS about {title}")
        system.smtp.wait_for(f"Ticket id: {ticket_id}", within=60, to="bob@msp.example")
    time.sleep(6)  # past the lease: anything unsure has been settled by now
    # (The 4 s test SLA then warns and breaches, and the router pages again for those: count
    # the first page, "... is yours", of each ticket.)
    first_pages = Counter(
        (title, r.body["To"])
        for title in titles
        for r in _about(chat, SMS_PATH, f"{title} is yours")
    )
    assert first_pages[(titles[0], BOB_PHONE)] == 1
    assert max(first_pages.values()) == 1, first_pages
    slack_pages = Counter(
        title for title in titles for _ in _about(chat, "/slack/", f"{title} is yours")
    )
    assert max(slack_pages.values()) == 1, slack_pages
    # An email sent again after the kill carries the same Message-ID (mail clients show one).
    for ticket_id in tickets:
        first = system.smtp.matching(
            f"Ticket id: {ticket_id}", "is assigned to you", to="bob@msp.example"
        )
        assert len({m["Message-ID"] for m in first}) == 1, [m["Message-ID"] for m in first]
    records = [d for t in tickets for d in deliveries(system, t) if d["repeat"] == 0]
    assert not [d for d in records if d["status"] == "sending"]
    # The kill did land mid-send: what was in flight is recorded as unsure, not sent again.
    unsure = [d for d in records if d["status"] == "unsure"]
    assert unsure
    assert all(d["attempt_log"][-1]["outcome"] == "unsure" for d in unsure)
