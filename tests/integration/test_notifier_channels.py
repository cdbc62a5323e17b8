"""The notifier's channels end to end in-process: events handled into PostgreSQL, the delivery
worker sending to real local stand-ins for Slack, Teams, Twilio and a webhook and to a real SMTP
server; what each receives, how failures are retried or fall back, what is recorded."""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from escalator_notifier.deliveries_api import deliveries_router
from escalator_shared.events import EscalationReason, Priority
from escalator_shared.http.errors import install_error_handlers
from escalator_shared.signed_links import SignedAction, verify_action
from tests.harness.chat_receivers import SLACK_PATH, SMS_BASE_PATH, TEAMS_PATH, WEBHOOK_PATH, Answer
from tests.harness.isolation import Namespace
from tests.harness.smtp_sink import text_of
from tests.integration.notifier_failures import refusing_smtp
from tests.integration.notifier_pipeline import (
    LINK_SECRET,
    PHONES,
    PUBLIC_URL,
    SMS_SID,
    SMS_TOKEN,
    STAFF_TOKEN,
    T0,
    WEBHOOK_SECRET,
    Pipeline,
    Pipelines,
    pipelines,
    step_reached,
)

pytestmark = pytest.mark.integration

TWILIO_PATH = f"{SMS_BASE_PATH}/2010-04-01/Accounts/{SMS_SID}/Messages.json"
SUBJECT = "[P1] Assigned to you: Core switch down at HQ [TKT-1042]"
SMS_ONLY = {"bob": {"teams_id": None, "notify": {"rules": {"assigned": ["sms"]}}}}
SLACK_ONLY = {"bob": {"teams_id": None, "notify": {"rules": {"assigned": ["slack"]}}}}


@pytest.fixture
async def make(database_url: str, namespace: Namespace) -> AsyncIterator[Pipelines]:
    """Builds the test's notifier pipeline."""
    async with pipelines(database_url, namespace) as factory:
        yield factory


def sms_to(p: Pipeline, person: str) -> list[dict[str, Any]]:
    """The Twilio forms posted to a person's phone."""
    return [r.json for r in p.receivers.received(TWILIO_PATH) if r.json["To"] == PHONES[person]]


def assert_signed_links(links: dict[str, str], ticket_id: str, person: str) -> None:
    """Acknowledge and resolve links that verify for this ticket and person for 24 hours."""
    assert sorted(links) == ["acknowledge", "resolve"]
    for verb, url in links.items():
        assert url.startswith(f"{PUBLIC_URL}/v1/actions/")
        action = verify_action(LINK_SECRET, url.rsplit("/", 1)[1], T0)
        assert action == SignedAction(ticket_id, verb, person, T0 + timedelta(hours=24))


async def test_an_urgent_page_reaches_the_on_call_person_once_on_every_channel(
    make: Pipelines,
) -> None:
    p = await make.build()
    await p.open_ticket("t-p1", Priority.P1, backup="grace")
    page = step_reached(Priority.P1, ["bob"], next_escalation_at=T0 + timedelta(minutes=10))
    await p.handle(page, "t-p1")

    assert await p.worker.step()
    assert not await p.worker.step()  # the repeats wait for their time
    rows = {r.channel: r for r in await p.deliveries(recipient="bob", repeat=0)}
    assert sorted(rows) == ["email", "slack", "sms", "teams", "webhook"]
    assert {r.status for r in rows.values()} == {"sent"}

    # Slack: Block Kit with the mention, the SLA left, and buttons whose links verify.
    [slack] = p.receivers.received(SLACK_PATH)
    blocks = slack.json["blocks"]
    assert slack.json["text"].startswith("<@U01BOB> P1 ACME Manufacturing: Core switch down")
    assert blocks[0] == {"type": "header", "text": {"type": "plain_text", "text": SUBJECT}}
    assert blocks[1]["text"]["text"].startswith("<@U01BOB> Ticket TKT-1042 for ACME")
    assert "SLA response: 15 min left" in blocks[1]["text"]["text"]
    assert {"type": "mrkdwn", "text": "*SLA response*\n15 min left"} in blocks[2]["fields"]
    buttons = {b["action_id"]: b for b in blocks[3]["elements"]}
    assert buttons["acknowledge"]["style"] == "primary"
    assert_signed_links({k: b["url"] for k, b in buttons.items()}, "t-p1", "bob")
    assert rows["slack"].provider_response == "HTTP 200: ok"

    # Teams: one Adaptive Card with the facts and the same links.
    [teams] = p.receivers.received(TEAMS_PATH)
    [attachment] = teams.json["attachments"]
    card = attachment["content"]
    assert attachment["contentType"] == "application/vnd.microsoft.card.adaptive"
    assert (card["type"], card["version"], card["body"][0]["text"]) == (
        "AdaptiveCard",
        "1.4",
        SUBJECT,
    )
    assert {"title": "SLA response", "value": "15 min left"} in card["body"][2]["facts"]
    assert {a["type"] for a in card["actions"]} == {"Action.OpenUrl"}
    assert_signed_links({a["title"].lower(): a["url"] for a in card["actions"]}, "t-p1", "bob")
    assert rows["teams"].provider_response == "HTTP 202: "

    # SMS: Twilio's form with basic auth, the one-line summary with the acknowledge link.
    [form] = sms_to(p, "bob")
    assert form["From"] == "+15005550006"
    assert form["Body"].startswith("P1 ACME Manufacturing: Core switch down at HQ is yours. Ack: ")
    assert len(form["Body"]) <= 306
    credentials = base64.b64encode(f"{SMS_SID}:{SMS_TOKEN}".encode()).decode()
    twilio = [r for r in p.receivers.received(TWILIO_PATH) if r.json["To"] == PHONES["bob"]]
    assert twilio[0].headers["authorization"] == f"Basic {credentials}"
    assert rows["sms"].provider_response.startswith("HTTP 201: sid SM")

    # Email: text and HTML parts, a stable Message-ID, the SLA left and the buttons.
    [email] = p.sink.matching(SUBJECT, to="bob@msp.example")
    assert email["Message-ID"] == f"<{rows['email'].id}@escalator.msp.example>"
    assert "SLA response: 15 min left" in text_of(email)
    assert "If nobody acknowledges it by 2026-07-06 09:10 UTC" in text_of(email)
    html = email.get_body(("html",))
    assert html is not None
    assert f'href="{PUBLIC_URL}/v1/actions/' in str(html.get_content())

    # The urgent page reaches the backup too; every delivery is reported.
    assert len(sms_to(p, "grace")) == 1
    assert len(p.sink.matching(SUBJECT, to="grace@msp.example")) == 1
    delivered = await p.emitted("NotificationDelivered")
    assert len(delivered) == 8  # bob 5, grace sms+webhook+email
    # Each email's Message-ID (bare) goes with it, so that intake threads replies to the page.
    ids = {
        (e.payload["recipient"], e.payload["channel"]): e.payload["message_id"] for e in delivered
    }
    assert ids[("bob", "email")] == f"{rows['email'].id}@escalator.msp.example"
    assert ids[("grace", "email")] is not None
    assert ids[("grace", "email")] != ids[("bob", "email")]
    assert [ids[key] for key in ids if key[1] != "email"] == [None] * 6


async def test_the_webhook_is_signed_and_carries_the_delivery_id_as_idempotency_key(
    make: Pipelines,
) -> None:
    p = await make.build()
    await p.open_ticket("t-hook", Priority.P2)
    await p.handle(step_reached(Priority.P2, ["bob"]), "t-hook")
    await p.drain()

    [hook] = p.receivers.received(WEBHOOK_PATH)
    [row] = await p.deliveries(channel="webhook", repeat=0)
    timestamp = hook.headers["x-escalator-timestamp"]
    mac = hmac.new(WEBHOOK_SECRET.encode(), timestamp.encode() + b"." + hook.raw, hashlib.sha256)
    assert hook.headers["x-escalator-signature"] == "sha256=" + mac.hexdigest()
    assert hook.headers["idempotency-key"] == row.id
    document = hook.json
    assert (document["id"], document["kind"], document["ticket_id"]) == (
        row.id,
        "assigned",
        "t-hook",
    )
    assert document["facts"]["SLA response"] == "15 min left"
    assert document["subject"] == "[P2] Assigned to you: Core switch down at HQ [TKT-1042]"
    assert_signed_links(document["links"], "t-hook", "bob")


async def test_a_normal_page_goes_by_email_only_and_a_low_one_waits_for_the_digest(
    make: Pipelines,
) -> None:
    p = await make.build()
    await p.open_ticket("t-p3", Priority.P3, title="Printer offline")
    await p.handle(step_reached(Priority.P3, ["bob"], title="Printer offline"), "t-p3")
    await p.open_ticket("t-p5", Priority.P5, title="Toner low")
    await p.handle(step_reached(Priority.P5, ["bob"], title="Toner low"), "t-p5")

    await p.drain()
    assert p.receivers.received() == []
    assert [m["Subject"] for m in p.sink.messages] == [
        "[P3] Assigned to you: Printer offline [TKT-1042]"
    ]
    [member] = await p.deliveries(ticket_id="t-p5")
    [digest] = await p.deliveries(kind="digest")
    assert (member.status, member.collection) == ("digest", digest.id)
    # Bob's digest: 08:00 on his London wall clock (BST) the next morning.
    assert (digest.status, digest.next_attempt_at) == ("pending", T0 + timedelta(hours=22))


async def test_a_redelivered_event_queues_nothing_new(make: Pipelines) -> None:
    p = await make.build()
    await p.open_ticket(
        "t-again",
        Priority.P1,
        requester="pat@acme.example",
        requester_message_id="<pat-1@mail.acme.example>",
    )
    page = step_reached(Priority.P1, ["bob"])
    envelope = p.envelope(page, "t-again")
    await p.run_handlers(envelope, page)
    first = await p.deliveries()
    assert len(first) == 1 + 5 + 3 * 4  # the customer's receipt, bob's channels and repeats

    await p.run_handlers(envelope, page)  # a fresh transaction, as after a lost commit record
    assert [r.id for r in await p.deliveries()] == [r.id for r in first]
    assert p.metric("escalator_notifications_suppressed_total", channel="sms", reason="duplicate")
    await p.drain()
    assert len(sms_to(p, "bob")) == 1
    assert len(p.receivers.received(SLACK_PATH)) == 1
    assert len(p.sink.matching(SUBJECT, to="bob@msp.example")) == 1


async def test_rate_limited_answers_are_retried_no_sooner_than_retry_after(
    make: Pipelines,
) -> None:
    p = await make.build(people=SLACK_ONLY)
    p.receivers.script(
        SLACK_PATH,
        Answer(429, "rate_limited", {"Retry-After": "30"}),
        Answer(delay=0.2),  # then the usual answer, slowly
    )
    await p.open_ticket("t-429", Priority.P3)
    await p.handle(step_reached(Priority.P3, ["bob"]), "t-429")

    assert await p.worker.step()
    [row] = await p.deliveries(ticket_id="t-429", channel="slack")
    assert (row.status, row.attempts, row.last_error) == ("pending", 1, "HTTP 429: rate_limited")
    assert row.next_attempt_at == T0 + timedelta(seconds=30)
    p.clock.advance(timedelta(seconds=29))
    assert not await p.worker.step()
    assert len(p.receivers.received(SLACK_PATH)) == 1
    p.clock.advance(timedelta(seconds=1))
    assert await p.worker.step()
    assert len(p.receivers.received(SLACK_PATH)) == 2

    [row] = await p.deliveries(ticket_id="t-429", channel="slack")
    assert (row.status, row.provider_response) == ("sent", "HTTP 200: ok")
    first, second = await p.attempts(row.id)
    assert (first.outcome, first.provider_response) == (
        "temporary_failure",
        "HTTP 429: rate_limited",
    )
    assert (second.outcome, second.at) == ("sent", T0 + timedelta(seconds=30))
    assert second.latency_ms >= 200
    assert p.metric("escalator_notifications_total", channel="slack", outcome="retry") == 1


async def test_server_errors_are_retried_with_growing_backoff(make: Pipelines) -> None:
    p = await make.build(people=SMS_ONLY)
    p.receivers.script(TWILIO_PATH, Answer(503, "upstream down"), Answer(503, "upstream down"))
    await p.open_ticket("t-503", Priority.P3)
    await p.handle(step_reached(Priority.P3, ["bob"]), "t-503")

    for attempt, cap in ((1, 2), (2, 4)):  # full jitter under 2 s x 2^(attempt - 1)
        await p.worker.step()
        [row] = await p.deliveries(ticket_id="t-503", channel="sms")
        assert (row.status, row.attempts) == ("pending", attempt)
        assert timedelta(0) <= row.next_attempt_at - p.clock.now() <= timedelta(seconds=cap)
        p.clock.advance(row.next_attempt_at - p.clock.now())
    await p.worker.step()
    [row] = await p.deliveries(ticket_id="t-503", channel="sms")
    assert row.status == "sent"
    assert [a.outcome for a in await p.attempts(row.id)] == [
        "temporary_failure",
        "temporary_failure",
        "sent",
    ]
    assert len(sms_to(p, "bob")) == 3


async def test_a_permanent_failure_falls_back_to_the_next_contact_method(
    make: Pipelines,
) -> None:
    p = await make.build(people=SLACK_ONLY)
    p.receivers.script(SLACK_PATH, Answer(404, "no_service"))
    await p.open_ticket("t-404", Priority.P3)
    await p.handle(step_reached(Priority.P3, ["bob"]), "t-404")

    await p.drain()
    rows = {r.channel: r for r in await p.deliveries(ticket_id="t-404")}
    slack, sms = rows["slack"], rows["sms"]
    assert (slack.channel, slack.status, slack.last_error) == (
        "slack",
        "failed",
        "HTTP 404: no_service",
    )
    [attempt] = await p.attempts(slack.id)
    assert (attempt.outcome, attempt.provider_response) == (
        "permanent_failure",
        "HTTP 404: no_service",
    )
    assert (sms.channel, sms.status, sms.fallback_of, sms.address) == (
        "sms",
        "sent",
        slack.id,
        PHONES["bob"],
    )
    [form] = sms_to(p, "bob")
    assert form["Body"].startswith("P3 ACME Manufacturing: Core switch down at HQ is yours.")
    [failed] = await p.emitted("NotificationFailed")
    assert (failed.payload["channel"], failed.payload["permanent"]) == ("slack", True)
    assert await p.emitted("EscalationRequested") == []


async def test_a_fallback_to_slack_mentions_the_person(make: Pipelines) -> None:
    people = {"bob": {"notify": {"rules": {"assigned": ["sms"]}, "contact_order": ["slack"]}}}
    p = await make.build(people=people)
    p.receivers.script(TWILIO_PATH, Answer(400, '{"code": 21610, "message": "unsubscribed"}'))
    await p.open_ticket("t-mention", Priority.P3)
    await p.handle(step_reached(Priority.P3, ["bob"]), "t-mention")

    await p.drain()
    [slack] = p.receivers.received(SLACK_PATH)  # the fallback went out
    assert slack.json["text"].startswith("<@U01BOB> ")


async def test_a_page_nobody_can_receive_asks_the_router_to_escalate(make: Pipelines) -> None:
    p = await make.build()
    p.receivers.script(SLACK_PATH, Answer(404, "channel_not_found"))
    p.receivers.script(WEBHOOK_PATH, Answer(410, "gone"))
    await p.open_ticket("t-gone", Priority.P1, assignee="alice")
    await p.handle(step_reached(Priority.P1, ["alice"]), "t-gone")

    with refusing_smtp() as port:
        await p.drain(p.new_worker(smtp_port=port))
    rows = await p.deliveries(ticket_id="t-gone", repeat=0)
    assert sorted((r.channel, r.status) for r in rows) == [
        ("email", "failed"),
        ("slack", "failed"),
        ("webhook", "failed"),
    ]
    email = next(r for r in rows if r.channel == "email")
    assert email.last_error.startswith("SMTP 550")
    assert len(await p.emitted("NotificationFailed")) == 3
    [escalation] = await p.emitted("EscalationRequested")
    assert escalation.ticket_id == "t-gone"
    assert escalation.payload["reason"] == EscalationReason.UNREACHABLE
    assert escalation.payload["requested_by"] == "notifier"
    assert "could not reach alice" in escalation.payload["note"]


async def test_an_unreachable_person_asks_for_one_escalation_per_page_not_per_repeat(
    make: Pipelines,
) -> None:
    p = await make.build()
    p.receivers.script(SLACK_PATH, *[Answer(404, "channel_not_found")] * 4)
    p.receivers.script(WEBHOOK_PATH, *[Answer(410, "gone")] * 4)
    await p.open_ticket("t-gone", Priority.P1, assignee="alice")
    await p.handle(step_reached(Priority.P1, ["alice"]), "t-gone")
    with refusing_smtp() as port:
        worker = p.new_worker(smtp_port=port)
        for _ in range(4):  # the page and its three repeats, five minutes apart
            await p.drain(worker)
            p.clock.advance(timedelta(minutes=5))
    assert len(await p.deliveries(ticket_id="t-gone", status="failed")) == 3 + 3 * 3
    assert len(await p.emitted("EscalationRequested")) == 1


async def test_the_deliveries_api_lists_a_tickets_messages_with_their_attempts_for_staff(
    make: Pipelines,
) -> None:
    p = await make.build(people=SLACK_ONLY)
    p.receivers.script(SLACK_PATH, Answer(503, "try later"))
    await p.open_ticket("t-api", Priority.P3)
    await p.handle(step_reached(Priority.P3, ["bob"]), "t-api")
    await p.worker.step()
    p.clock.advance(timedelta(seconds=5))
    await p.worker.step()

    app = FastAPI()
    install_error_handlers(app)
    app.include_router(deliveries_router(p.sessions, p.config))
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://notifier"
    ) as client:
        anonymous = await client.get("/v1/deliveries", params={"ticket_id": "t-api"})
        forged = await client.get(
            "/v1/deliveries",
            params={"ticket_id": "t-api"},
            headers={"Authorization": "Bearer not-a-staff-token"},
        )
        staff = await client.get(
            "/v1/deliveries",
            params={"ticket_id": "t-api"},
            headers={"Authorization": f"Bearer {STAFF_TOKEN}"},
        )
    assert (anonymous.status_code, anonymous.json()["error"]) == (401, "missing_token")
    assert anonymous.headers["www-authenticate"] == "Bearer"
    assert (forged.status_code, forged.json()["error"]) == (401, "invalid_token")
    assert staff.status_code == 200
    [listed] = staff.json()
    assert (listed["kind"], listed["channel"], listed["recipient"], listed["status"]) == (
        "assigned",
        "slack",
        "bob",
        "sent",
    )
    assert listed["attempts"] == 2
    log = listed["attempt_log"]
    assert [(a["attempt"], a["outcome"], a["provider_response"]) for a in log] == [
        (1, "temporary_failure", "HTTP 503: try later"),
        (2, "sent", "HTTP 200: ok"),
    ]
    assert all(a["latency_ms"] > 0 for a in log)
