"""The notifier's policy on real PostgreSQL and real receivers, on a controllable clock: quiet
hours, digests, rate limits and bundles in a storm, repeats until acknowledged, cancellation,
and the customer's threaded updates."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest

from escalator_notifier.delivery_worker import WorkerLimits
from escalator_shared.events import Priority, Severity, TicketAcknowledged, TicketResolved
from tests.harness.chat_receivers import SLACK_PATH, SMS_BASE_PATH, TEAMS_PATH, WEBHOOK_PATH, Answer
from tests.harness.isolation import Namespace
from tests.harness.smtp_sink import text_of
from tests.integration.notifier_pipeline import (
    PHONES,
    SMS_SID,
    T0,
    Pipeline,
    Pipelines,
    pipelines,
    step_reached,
)

pytestmark = pytest.mark.integration

TWILIO_PATH = f"{SMS_BASE_PATH}/2010-04-01/Accounts/{SMS_SID}/Messages.json"
NIGHT = datetime(2026, 7, 6, 22, 30, tzinfo=UTC)  # 23:30 in London: Dave's quiet hours
MORNING = datetime(2026, 7, 7, 6, 0, tzinfo=UTC)  # 07:00 in London: they end
DIGEST_AT = datetime(2026, 7, 7, 7, 30, tzinfo=UTC)  # Dave's digest, 08:30 in London
SECOND = timedelta(seconds=1)
SMS_ONLY = {"bob": {"teams_id": None, "notify": {"rules": {"assigned": ["sms"]}}}}
# The documented default limits, each named (the example configuration names three).
DOCUMENTED_LIMITS = {
    "rate_limits": {
        "sms": {"max": 5, "per": "15m"},
        "slack": {"max": 10, "per": "5m"},
        "teams": {"max": 10, "per": "5m"},
        "webhook": {"max": 60, "per": "1m"},
        "email": {"max": 20, "per": "10m"},
    }
}


@pytest.fixture
async def make(database_url: str, namespace: Namespace) -> AsyncIterator[Pipelines]:
    """Builds the test's notifier pipeline."""
    async with pipelines(database_url, namespace) as factory:
        yield factory


def sms_bodies(p: Pipeline, person: str = "bob") -> list[str]:
    """What a person's phone received, in order."""
    forms = [r.json for r in p.receivers.received(TWILIO_PATH)]
    return [f["Body"] for f in forms if f["To"] == PHONES[person]]


async def page(p: Pipeline, ticket_id: str, priority: Priority, person: str, title: str) -> None:
    """A ticket opened for `person` and its first page."""
    team = "helpdesk" if person == "dave" else "l2-technical"
    await p.open_ticket(ticket_id, priority, assignee=person, team=team, title=title)
    await p.handle(step_reached(priority, [person], title=title), ticket_id)


async def storm(p: Pipeline, alerts: int, priority: Priority = Priority.P2) -> None:
    """Pages to Bob for `alerts` tickets of one client, consumed in batches of 50."""
    envelopes = [
        p.envelope(step_reached(priority, ["bob"], title=f"Disk full on srv-{i:03}"), f"s-{i:03}")
        for i in range(alerts)
    ]
    for start in range(0, alerts, 50):
        await p.handle_batch(envelopes[start : start + 50])


async def test_quiet_hours_hold_a_normal_notice_until_they_end_but_not_an_urgent_page(
    make: Pipelines,
) -> None:
    p = await make.build(start=NIGHT)
    await page(p, "t-night", Priority.P3, "dave", "Backup job warning")
    [held] = await p.deliveries(ticket_id="t-night")
    assert (held.channel, held.held_until, held.next_attempt_at) == ("email", MORNING, MORNING)
    assert p.metric("escalator_notifications_held_total", channel="email") == 1
    await p.drain()
    assert p.sink.messages == []

    await page(p, "t-urgent", Priority.P1, "dave", "Firewall down")
    await p.drain()
    assert len(sms_bodies(p, "dave")) == 1
    assert len(p.sink.matching("[P1] Assigned to you: Firewall down")) == 1

    # A held notice of a ticket resolved in the night is never sent.
    await page(p, "t-fixed", Priority.P3, "dave", "Disk 80 % on the file server")
    await p.handle(TicketResolved(by="dave", resolved_at=NIGHT), "t-fixed")
    [cancelled] = await p.deliveries(ticket_id="t-fixed")
    assert cancelled.status == "cancelled"

    p.clock.at = MORNING - SECOND
    await p.drain()
    assert p.sink.matching("Backup job warning") == []
    p.clock.at = MORNING
    await p.drain()
    morning = p.sink.matching("[P3] Assigned to you: Backup job warning", to="dave@msp.example")
    assert len(morning) == 1
    assert p.sink.matching("Disk 80 %") == []
    [sent] = await p.deliveries(ticket_id="t-night")
    assert (sent.status, sent.finished_at) == ("sent", MORNING)


async def test_low_priority_notices_go_out_together_at_the_persons_digest_time(
    make: Pipelines,
) -> None:
    p = await make.build()
    for ticket, client, title in (
        ("t-d1", "acme", "Toner low on floor 2"),
        ("t-d2", "acme", "Certificate renews in 30 days"),
        ("t-d3", "globex", "Licence count near its limit"),
    ):
        await p.open_ticket(ticket, Priority.P5, assignee="dave", title=title, client_id=client)
        await p.handle(step_reached(Priority.P5, ["dave"], title=title), ticket, client)
    await p.drain()
    assert p.sink.messages == []
    [digest] = await p.deliveries(kind="digest")
    members = await p.deliveries(collection=digest.id)
    assert [m.status for m in members] == ["digest"] * 3
    assert (digest.recipient, digest.next_attempt_at) == ("dave", DIGEST_AT)

    p.clock.at = DIGEST_AT - SECOND
    await p.drain()
    assert p.sink.messages == []
    p.clock.at = DIGEST_AT
    await p.drain()
    [email] = p.sink.messages
    assert email["To"] == "dave@msp.example"
    assert email["Subject"] == "Your daily digest: 3 low-priority notifications"
    body = text_of(email)
    assert "(ACME Manufacturing: 2, Globex Legal: 1)" in body
    for title in ("Toner low on floor 2", "Certificate renews", "Licence count near its limit"):
        assert f"[P5] Assigned to you: {title}" in body

    # The next notice waits for the next morning's digest.
    await page(p, "t-d4", Priority.P5, "dave", "Patch window tonight")
    [_, tomorrow] = await p.deliveries(kind="digest")
    assert (tomorrow.status, tomorrow.next_attempt_at) == ("pending", DIGEST_AT + timedelta(days=1))
    await p.drain()
    assert len(p.sink.messages) == 1


async def test_resolving_a_ticket_takes_its_notice_out_of_the_waiting_digest(
    make: Pipelines,
) -> None:
    p = await make.build()
    await page(p, "t-e1", Priority.P5, "dave", "Toner low on floor 2")
    await page(p, "t-e2", Priority.P5, "dave", "Certificate renews in 30 days")
    await p.handle(TicketResolved(by="dave", resolved_at=T0, resolution="Replaced"), "t-e1")
    p.clock.at = DIGEST_AT
    await p.drain()
    [email] = p.sink.messages
    assert "Toner low" not in text_of(email)
    assert email["Subject"] == "Your daily digest: 1 low-priority notification"


async def test_a_storm_reaches_a_person_within_the_rate_limits_and_one_bundle_per_channel(
    make: Pipelines,
) -> None:
    p = await make.build(notifications=DOCUMENTED_LIMITS)
    await storm(p, 500)
    await p.drain()
    received = p.receivers.received
    assert len(sms_bodies(p)) == 5
    assert (len(received(SLACK_PATH)), len(received(TEAMS_PATH))) == (10, 10)
    assert (len(received(WEBHOOK_PATH)), len(p.sink.messages)) == (60, 20)
    bundles = {b.channel: b for b in await p.deliveries(kind="bundle")}
    minute, wait = timedelta(minutes=1), timedelta(minutes=2)  # the webhook's window ends first
    assert {c: b.next_attempt_at - T0 for c, b in bundles.items()} == {
        "sms": wait,
        "slack": wait,
        "teams": wait,
        "email": wait,
        "webhook": minute,
    }
    assert p.metric("escalator_notifications_bundled_total", channel="sms") == 495
    for channel in bundles:  # every message the limits let through went at the first try
        assert p.metric("escalator_notifications_total", channel=channel, outcome="retry") == 0

    p.clock.advance(minute)
    await p.drain()
    assert len(received(WEBHOOK_PATH)) == 61
    last_hook = received(WEBHOOK_PATH)[-1].json
    assert (last_hook["kind"], last_hook["subject"]) == (
        "bundle",
        "440 more notifications (ACME Manufacturing: 440)",
    )
    assert len(sms_bodies(p)) == 5
    p.clock.advance(minute)
    await p.drain()
    assert sms_bodies(p)[5:] == ["495 more notifications (ACME Manufacturing: 495)"]
    slack = received(SLACK_PATH)
    assert len(slack) == 11
    assert slack[-1].json["text"] == "<@U01BOB> 490 more notifications (ACME Manufacturing: 490)"
    assert len(received(TEAMS_PATH)) == 11
    assert len(p.sink.messages) == 21
    bundle_email = p.sink.messages[-1]
    assert bundle_email["Subject"] == "480 more notifications (ACME Manufacturing: 480)"
    assert "- ... and 460 more" in text_of(bundle_email)
    for bundle in await p.deliveries(kind="bundle"):
        assert bundle.status == "sent"
        assert bundle.finished_at <= T0 + wait
    assert await p.due() == 0


async def test_a_channel_the_configuration_does_not_limit_keeps_its_default_limit(
    make: Pipelines,
) -> None:
    p = await make.build()  # the example configuration limits SMS, Slack and email only
    await storm(p, 30)
    await p.drain()
    assert len(p.receivers.received(TEAMS_PATH)) <= 10  # documented default: 10 per 5 min
    assert len(p.receivers.received(WEBHOOK_PATH)) <= 60


async def test_a_step_that_only_bundled_reports_that_it_did_work(make: Pipelines) -> None:
    p = await make.build(people=SMS_ONLY, limits=WorkerLimits(batch_size=10))
    await storm(p, 20, Priority.P3)
    assert await p.worker.step()  # five sent, five bundled
    assert await p.due() == 10
    assert await p.worker.step()  # ten more bundled: it did work, and more may be due


async def test_a_bundle_whose_channel_fails_for_good_falls_back_with_its_words(
    make: Pipelines,
) -> None:
    p = await make.build(people=SMS_ONLY)
    await storm(p, 8, Priority.P3)
    await p.drain()
    assert len(sms_bodies(p)) == 5
    p.receivers.script(TWILIO_PATH, Answer(400, '{"code": 21610, "message": "unsubscribed"}'))
    p.clock.advance(timedelta(minutes=2))
    await p.drain()
    [bundle] = await p.deliveries(kind="bundle", channel="sms")
    assert bundle.status == "failed"
    [fallback] = await p.deliveries(fallback_of=bundle.id)  # on Bob's next contact method
    assert (fallback.channel, fallback.status) == ("slack", "sent")
    [slack] = p.receivers.received(SLACK_PATH)
    assert "3 more notifications" in slack.json["text"]


async def test_urgent_pages_repeat_until_acknowledged(make: Pipelines) -> None:
    p = await make.build()
    await page(p, "t-rep", Priority.P1, "bob", "Core switch down at HQ")
    await p.drain()
    repeats = await p.deliveries(ticket_id="t-rep", status="pending")
    assert sorted({(r.repeat, r.next_attempt_at - T0) for r in repeats}) == [
        (k, timedelta(minutes=5 * k)) for k in (1, 2, 3)
    ]
    assert {r.channel for r in repeats} == {"sms", "slack", "teams", "webhook"}  # email once

    p.clock.advance(timedelta(minutes=5))
    await p.drain()
    assert len(sms_bodies(p)) == 2
    assert (len(p.receivers.received(SLACK_PATH)), len(p.sink.messages)) == (2, 1)

    await p.handle(TicketAcknowledged(by="bob", acknowledged_at=p.clock.now()), "t-rep")
    cancelled = await p.deliveries(ticket_id="t-rep", status="cancelled")
    assert sorted(r.repeat for r in cancelled) == [2] * 4 + [3] * 4
    assert p.metric("escalator_notifications_suppressed_total", channel="sms", reason="cancelled")
    p.clock.advance(timedelta(minutes=15))
    await p.drain()
    assert len(sms_bodies(p)) == 2
    assert len(p.receivers.received(TEAMS_PATH)) == 2


async def test_a_new_page_supersedes_the_pending_repeats_of_the_last_one(make: Pipelines) -> None:
    p = await make.build()
    await page(p, "t-sup", Priority.P1, "bob", "Core switch down at HQ")
    await page(p, "t-other", Priority.P1, "bob", "Firewall cluster split")
    await p.drain()
    # The next step pages Bob again on t-sup: the first page's repeats are not sent as well.
    await p.handle(step_reached(Priority.P1, ["bob"], step=1, reason="unacknowledged"), "t-sup")
    superseded = await p.deliveries(ticket_id="t-sup", status="cancelled")
    assert sorted(r.repeat for r in superseded) == [1] * 4 + [2] * 4 + [3] * 4
    assert p.metric("escalator_notifications_suppressed_total", channel="sms", reason="superseded")
    pending = await p.deliveries(ticket_id="t-sup", status="pending")
    assert sorted({r.repeat for r in pending}) == [0, 1, 2, 3]  # the new page and its repeats
    # Another ticket's repeats to Bob stand.
    others = await p.deliveries(ticket_id="t-other", status="pending")
    assert sorted({r.repeat for r in others}) == [1, 2, 3]


async def test_a_batch_of_pages_queues_each_and_a_later_page_supersedes_an_earlier_one(
    make: Pipelines,
) -> None:
    p = await make.build()
    await p.open_ticket("t-one", Priority.P1, title="Core switch down at HQ")
    await p.open_ticket("t-two", Priority.P1, title="Firewall cluster split")
    # One consumer transaction: t-one paged, t-two paged, t-one escalated, and a ticket whose
    # opening never arrived (its page words what the event says).
    await p.handle_batch(
        [
            p.envelope(step_reached(Priority.P1, ["bob"], title="stale title"), "t-one"),
            p.envelope(step_reached(Priority.P1, ["bob"], title="stale title"), "t-two"),
            p.envelope(
                step_reached(Priority.P1, ["bob"], step=1, reason="unacknowledged"), "t-one"
            ),
            p.envelope(step_reached(Priority.P1, ["bob"], title="UPS on battery"), "t-new"),
        ]
    )
    superseded = await p.deliveries(ticket_id="t-one", status="cancelled")
    assert sorted(r.repeat for r in superseded) == [1] * 4 + [2] * 4 + [3] * 4
    pending = await p.deliveries(ticket_id="t-one", status="pending")
    assert {r.repeat for r in pending if r.kind == "assigned"} == {0}  # its first page stands
    assert sorted({r.repeat for r in pending if r.kind == "escalated"}) == [0, 1, 2, 3]
    two = await p.deliveries(ticket_id="t-two", status="pending")
    assert sorted({r.repeat for r in two}) == [0, 1, 2, 3]  # another ticket's repeats stand
    assert all("Firewall cluster split" in r.subject for r in two)  # its view, not the event
    new = await p.deliveries(ticket_id="t-new", repeat=0)
    assert {r.channel for r in new} == {"email", "slack", "sms", "teams", "webhook"}
    assert all("UPS on battery" in r.subject for r in new)


async def test_resolving_a_ticket_cancels_its_pending_pages(make: Pipelines) -> None:
    p = await make.build()
    await page(p, "t-res", Priority.P2, "grace", "VPN concentrator down")
    await p.drain()
    assert len(sms_bodies(p, "grace")) == 1
    await p.handle(TicketResolved(by="grace", resolved_at=T0), "t-res")
    pending = await p.deliveries(ticket_id="t-res", status="pending")
    assert pending == []
    assert len(await p.deliveries(ticket_id="t-res", status="cancelled")) == 3 * 2  # sms, webhook
    p.clock.advance(timedelta(minutes=20))
    await p.drain()
    assert len(sms_bodies(p, "grace")) == 1
    assert len(p.receivers.received(WEBHOOK_PATH)) == 1


async def test_an_email_request_gets_threaded_customer_updates(make: Pipelines) -> None:
    p = await make.build()
    # Intake passes the requester's Message-ID on bare, as every service keeps ids.
    message_id = "CAF7pat.1042@mail.acme.example"
    await p.open_ticket(
        "t-cust",
        Priority.P3,
        title="Printer on floor 2 jams",
        source="email",
        integration="email",
        ticket_type="request",
        severity=Severity.MINOR,
        requester="pat@acme.example",
        requester_message_id=message_id,
    )
    await p.drain()
    [received] = p.sink.matching(to="pat@acme.example")
    assert received["Subject"] == "Re: Printer on floor 2 jams [TKT-1042]"
    # Written in brackets, as RFC 5322 asks and mail clients thread on.
    assert (received["In-Reply-To"], received["References"]) == (f"<{message_id}>",) * 2
    assert str(received["Message-ID"]).endswith("@escalator.msp.example>")
    # NotificationDelivered names the Message-ID used, for intake to thread replies with.
    [delivered] = await p.emitted("NotificationDelivered")
    assert f"<{delivered.payload['message_id']}>" == received["Message-ID"]
    assert (
        "You can expect a first response within 1 hour, and a resolution target of 24 hours."
        in text_of(received)
    )
    assert "Example MSP service desk" in text_of(received)

    for step in (1, 2):  # told once, however often it escalates
        escalated = step_reached(
            Priority.P3, ["grace"], title="Printer on floor 2 jams", step=step, reason="manual"
        )
        await p.handle(escalated, "t-cust")
    await p.drain()
    [escalation] = p.sink.matching("has been escalated", to="pat@acme.example")
    assert "has been escalated to Technical specialists" in text_of(escalation)
    assert escalation["In-Reply-To"] == f"<{message_id}>"

    resolved = TicketResolved(by="bob", resolved_at=T0, resolution="Replaced the fuser unit")
    await p.handle(resolved, "t-cust")
    await p.drain()
    [done] = p.sink.matching("is resolved", to="pat@acme.example")
    assert "What we did: Replaced the fuser unit" in text_of(done)
    assert (done["In-Reply-To"], done["References"]) == (f"<{message_id}>",) * 2
    assert len(p.sink.matching(to="pat@acme.example")) == 3
