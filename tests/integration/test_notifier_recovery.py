"""A delivery worker that stops mid-send (killed, or too slow for its lease): what the next
pass sends again, what it marks unsure, and what the late worker may still record. The sends
really reach the stand-ins (slow answers, a hung SMTP relay) before the worker is cut short."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest

from escalator_shared.events import Priority
from tests.harness.chat_receivers import SLACK_PATH, SMS_BASE_PATH, TEAMS_PATH, WEBHOOK_PATH, Answer
from tests.harness.isolation import Namespace
from tests.integration.notifier_failures import silent_smtp, stop_mid_send, until
from tests.integration.notifier_pipeline import Pipelines, pipelines, step_reached

pytestmark = pytest.mark.integration

LEASE_OVER = timedelta(seconds=61)  # the worker's lease is 60 s
NOT_RESENT = "no answer recorded: not sent again, to avoid a second page"
RESENT = "no answer recorded: sent again"
DIGEST_AT = datetime(2026, 7, 7, 7, 30, tzinfo=UTC)  # Dave's digest, 08:30 in London


@pytest.fixture
async def make(database_url: str, namespace: Namespace) -> AsyncIterator[Pipelines]:
    """Builds the test's notifier pipeline."""
    async with pipelines(database_url, namespace) as factory:
        yield factory


async def test_a_send_cut_short_is_resent_only_where_the_receiver_drops_duplicates(
    make: Pipelines,
) -> None:
    p = await make.build()
    for path in (SLACK_PATH, SMS_BASE_PATH, WEBHOOK_PATH):
        p.receivers.script(path, Answer(delay=1.5))  # answered too late for the dying worker
    await p.open_ticket("t-cut", Priority.P1)
    await p.handle(step_reached(Priority.P1, ["bob"]), "t-cut")

    paths = (SLACK_PATH, SMS_BASE_PATH, TEAMS_PATH, WEBHOOK_PATH)
    with silent_smtp() as hung:
        dying = p.new_worker(smtp_port=hung.port)
        await stop_mid_send(
            dying.step(),
            lambda: hung.connections > 0 and all(p.receivers.received(x) for x in paths),
        )
    rows = {r.channel: r for r in await p.deliveries(repeat=0)}
    assert {r.status for r in rows.values()} == {"sending"}
    assert not await p.worker.step()  # within the lease nothing is touched

    p.clock.advance(LEASE_OVER)
    assert await p.worker.step()
    after = {r.channel: r for r in await p.deliveries(repeat=0)}
    assert {c: r.status for c, r in after.items()} == {
        "email": "sent",
        "webhook": "sent",
        "slack": "unsure",
        "sms": "unsure",
        "teams": "unsure",
    }
    for channel in ("slack", "sms", "teams"):
        assert len(p.receivers.received(f"/{channel}")) == 1  # nobody is paged twice
        [attempt] = await p.attempts(after[channel].id)
        assert (attempt.attempt, attempt.outcome, attempt.provider_response) == (
            1,
            "unsure",
            NOT_RESENT,
        )
        assert after[channel].finished_at == p.clock.now()
        assert p.metric("escalator_notifications_total", channel=channel, outcome="unsure") == 1

    # The webhook and the email go again, recognisable as the same message.
    hooks = p.receivers.received(WEBHOOK_PATH)
    assert [h.headers["idempotency-key"] for h in hooks] == [rows["webhook"].id] * 2
    assert hooks[0].json == hooks[1].json
    [email] = p.sink.messages  # the hung relay never took the first
    assert email["Message-ID"] == f"<{rows['email'].id}@escalator.msp.example>"
    for channel in ("email", "webhook"):
        log = await p.attempts(after[channel].id)
        assert [(a.attempt, a.outcome) for a in log] == [(1, "unsure"), (2, "sent")]
        assert log[0].provider_response == RESENT


async def test_a_worker_answered_after_its_lease_ran_out_still_records_its_batch(
    make: Pipelines,
) -> None:
    webhook_only = {"bob": {"teams_id": None, "notify": {"rules": {"assigned": ["webhook"]}}}}
    p = await make.build(people=webhook_only)
    p.receivers.script(WEBHOOK_PATH, Answer(delay=1.5))
    await p.open_ticket("t-late", Priority.P3)
    await p.handle(step_reached(Priority.P3, ["bob"]), "t-late")

    slow = asyncio.ensure_future(p.new_worker().step())
    await until(lambda: bool(p.receivers.received(WEBHOOK_PATH)), slow)
    p.clock.advance(LEASE_OVER)  # the slow worker's lease runs out while it waits
    assert await p.worker.step()  # another worker sends it again (the webhook drops repeats)
    [row] = await p.deliveries(ticket_id="t-late")
    assert row.status == "sent"

    assert await slow  # its late answer must not fail the record of its whole batch
    [row] = await p.deliveries(ticket_id="t-late")
    assert row.status == "sent"
    assert [a.outcome for a in await p.attempts(row.id)] == ["unsure", "sent"]


async def test_a_digest_cut_short_is_resent_even_once_the_next_digest_has_opened(
    make: Pipelines,
) -> None:
    p = await make.build()
    await p.open_ticket("t-b1", Priority.P5, assignee="dave", title="Toner low on floor 2")
    await p.handle(step_reached(Priority.P5, ["dave"], title="Toner low on floor 2"), "t-b1")
    p.clock.at = DIGEST_AT
    with silent_smtp() as hung:
        await stop_mid_send(p.new_worker(smtp_port=hung.port).step(), lambda: hung.connections > 0)
    [first] = await p.deliveries(kind="digest")
    assert first.status == "sending"

    # While it hangs, another low-priority notice opens tomorrow's digest.
    await p.open_ticket("t-b2", Priority.P5, assignee="dave", title="Patch window tonight")
    await p.handle(step_reached(Priority.P5, ["dave"], title="Patch window tonight"), "t-b2")
    p.clock.advance(LEASE_OVER)
    await p.open_ticket("t-b3", Priority.P1)  # and an unrelated urgent page must still go out
    await p.handle(step_reached(Priority.P1, ["bob"]), "t-b3")
    await p.drain()
    assert len(p.receivers.received(SMS_BASE_PATH)) == 1
    [email] = p.sink.matching("Your daily digest", to="dave@msp.example")
    assert email["Subject"] == "Your daily digest: 1 low-priority notification"
    first, second = await p.deliveries(kind="digest")
    assert (first.status, second.status) == ("sent", "pending")
