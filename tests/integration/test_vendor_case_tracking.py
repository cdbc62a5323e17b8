"""Open vendor cases tracked on real PostgreSQL against a real local HTTP vendor: status polls
(answers, failures, concurrent instances) and chases up the vendor's escalation ladder."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

import pytest
from prometheus_client import CollectorRegistry
from sqlalchemy import select, text, update
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from escalator_shared.config import EscalatorConfig, Vendor
from escalator_shared.db.engine import build_engine, build_session_factory
from escalator_shared.db.migrations import migrate
from escalator_shared.db.tables import outbox
from escalator_shared.db.unit_of_work import UnitOfWork
from escalator_shared.events import Envelope, Topics, utc_now
from escalator_shared.http.client_lanes import HttpLanes
from escalator_vendor_gateway import case_store
from escalator_vendor_gateway.bootstrap import MIGRATIONS
from escalator_vendor_gateway.case_lifecycle import CaseLifecycle
from escalator_vendor_gateway.case_tracking import CaseTracking
from escalator_vendor_gateway.channels.api_channel import ApiCaseChannel
from escalator_vendor_gateway.domain.case_data import gather
from escalator_vendor_gateway.domain.case_message import case_context
from escalator_vendor_gateway.escalation_chaser import EscalationChaser
from escalator_vendor_gateway.gateway_metrics import GatewayMetrics
from escalator_vendor_gateway.status_poller import StatusPoller
from escalator_vendor_gateway.tables import vendor_cases
from tests.harness.isolation import Namespace
from tests.integration.fake_vendor_api import Answer, FakeVendorApi
from tests.vendor_case_samples import ACME, CONFIG, KEY, MICROSOFT, TICKET

pytestmark = pytest.mark.integration

DUTY_MANAGER = "m365-duty@vendor.example"
DIRECTOR = "m365-director@vendor.example"
# The case as the gateway prepared it for sending (what the technician's notices quote).
CONTENT = case_context(
    KEY, MICROSOFT, TICKET, ACME, gather(MICROSOFT, TICKET, ACME, {"affected_users": "14"})
)


@pytest.fixture
async def sessions(
    database_url: str, namespace: Namespace
) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    """Sessions on a schema migrated with the vendor gateway's own migrations."""
    schema = namespace.schema("vendor-gateway")
    engine: AsyncEngine = build_engine(database_url, schema, pool_size=6)
    await migrate(engine, schema, MIGRATIONS)
    yield build_session_factory(engine)
    async with engine.begin() as conn:
        await conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    await engine.dispose()


class _Gateway:
    """The tracking pieces of one gateway instance, on a configuration where Microsoft has a
    webhook-shaped API at the fake vendor, polled every minute, and a two-step ladder."""

    def __init__(self, sessions: async_sessionmaker[AsyncSession], api_url: str) -> None:
        microsoft = Vendor.model_validate(
            {
                **MICROSOFT.model_dump(mode="json", exclude_none=True),
                "api": {
                    "preset": "webhook",
                    "url": api_url,
                    "timeout": "1s",
                    "poll": {"every": "1m"},
                },
                "escalation_levels": [
                    {"name": "duty manager", "after": "1h", "contact": DUTY_MANAGER},
                    {"name": "director", "after": "4h", "contact": DIRECTOR},
                ],
            }
        )
        vendors = [microsoft if v.id == "microsoft" else v for v in CONFIG.vendors]
        self.config: EscalatorConfig = CONFIG.model_copy(update={"vendors": vendors})
        self.sessions = sessions
        self.registry = CollectorRegistry()
        self.metrics = GatewayMetrics.create(self.registry)
        lifecycle = CaseLifecycle(self.config, self.metrics, lambda: None)
        self.tracking = CaseTracking(self.config, lifecycle, self.metrics)
        self.http = HttpLanes(8, trust_env=False)
        self.poller = StatusPoller(
            self.unit_of_work,
            self.config,
            ApiCaseChannel(self.http, {}),
            self.tracking,
            self.metrics,
            poll_seconds=0.05,
        )
        self.chaser = EscalationChaser(
            self.unit_of_work, self.config, self.tracking, poll_seconds=0.05
        )

    def unit_of_work(self) -> UnitOfWork:
        return UnitOfWork(self.sessions, Topics("t."), "vendor-gateway")

    def polls(self, outcome: str) -> float:
        value = self.registry.get_sample_value(
            "escalator_vendor_status_polls_total", {"vendor": "microsoft", "outcome": outcome}
        )
        return value or 0.0


@pytest.fixture
async def gateway(
    sessions: async_sessionmaker[AsyncSession], vendor_api: FakeVendorApi
) -> AsyncIterator[_Gateway]:
    """One instance's tracking pieces."""
    made = _Gateway(sessions, vendor_api.url)
    yield made
    await made.http.aclose()


async def _open_case(
    sessions: async_sessionmaker[AsyncSession], ticket_id: str, *, opened_hours_ago: float = 0.1
) -> None:
    """A Microsoft case open under the vendor's number MS-<ticket> (for six minutes, unless
    said: due a poll)."""
    now = utc_now()
    opened = now - timedelta(hours=opened_hours_ago)
    async with sessions() as session, session.begin():
        await session.execute(
            vendor_cases.insert().values(
                ticket_id=ticket_id,
                vendor="microsoft",
                client_id="acme",
                status="open",
                reason="test",
                requested_by="test",
                requested_at=opened,
                case_key=f"VC-{ticket_id}",
                channel="api",
                case_reference=f"MS-{ticket_id}",
                supplied={},
                missing=[],
                blockers=[],
                attempts=1,
                unsure=False,
                opened_at=opened,
                content=CONTENT,
                updated_at=now,
            )
        )


async def _case(sessions: async_sessionmaker[AsyncSession], ticket_id: str) -> Any:
    async with sessions() as session:
        query = select(vendor_cases).where(vendor_cases.c.ticket_id == ticket_id)
        return (await session.execute(query)).one()


async def _events(sessions: async_sessionmaker[AsyncSession]) -> list[tuple[str, dict[str, Any]]]:
    async with sessions() as session:
        payloads = (await session.scalars(select(outbox.c.payload).order_by(outbox.c.id))).all()
    envelopes = [Envelope.model_validate_json(payload) for payload in payloads]
    return [(envelope.event_type, envelope.payload) for envelope in envelopes]


async def _due_again(sessions: async_sessionmaker[AsyncSession]) -> None:
    """Make every case due for another poll (as if `every` had passed)."""
    async with sessions() as session, session.begin():
        await session.execute(
            update(vendor_cases).values(polled_at=utc_now() - timedelta(minutes=2))
        )


async def test_a_failed_poll_is_kept_on_the_case_and_the_next_one_resolves_it(
    gateway: _Gateway, vendor_api: FakeVendorApi
) -> None:
    await _open_case(gateway.sessions, "t-1", opened_hours_ago=0.1)
    vendor_api.answers["GET"] = Answer.json(503, {"error": "maintenance"})
    assert await gateway.poller.poll_due() is False  # one case, not a full batch
    [asked] = vendor_api.received
    assert (asked.method, asked.path) == ("GET", "/MS-t-1")
    failed = await _case(gateway.sessions, "t-1")
    assert failed.status == "open"
    assert failed.polled_at is not None
    assert "HTTP 503" in failed.poll_error
    assert gateway.polls("http_5xx") == 1
    # Asked just now: not due again until `every` has passed.
    await gateway.poller.poll_due()
    assert len(vendor_api.received) == 1

    await _due_again(gateway.sessions)
    vendor_api.answers["GET"] = Answer.json(200, {"status": "Resolved", "case_number": "MS-t-1"})
    await gateway.poller.poll_due()
    resolved = await _case(gateway.sessions, "t-1")
    assert (resolved.status, resolved.vendor_status, resolved.poll_error) == (
        "resolved",
        "Resolved",
        None,
    )
    assert resolved.resolved_at is not None
    assert [(kind, body["case_reference"]) for kind, body in await _events(gateway.sessions)] == [
        ("VendorCaseResolved", "MS-t-1")
    ]
    assert gateway.polls("answered") == 1
    # A resolved case is not asked about any more.
    await _due_again(gateway.sessions)
    await gateway.poller.poll_due()
    assert len(vendor_api.received) == 2


@pytest.mark.parametrize(
    ("answer", "reason"),
    [
        (Answer(200, b"<html>login</html>", {"Content-Type": "text/html"}), "malformed"),
        (Answer.json(200, {"state": "open"}), "malformed"),  # no `status` where the preset reads it
        (Answer.json(404, {"error": "no such case"}), "http_4xx"),
    ],
)
async def test_an_answer_without_a_readable_status_is_a_counted_failure(
    gateway: _Gateway, vendor_api: FakeVendorApi, answer: Answer, reason: str
) -> None:
    await _open_case(gateway.sessions, "t-1")
    vendor_api.answers["GET"] = answer
    await gateway.poller.poll_due()
    case = await _case(gateway.sessions, "t-1")
    assert case.status == "open"
    assert case.poll_error
    assert gateway.polls(reason) == 1
    assert await _events(gateway.sessions) == []


async def test_progress_is_news_once_per_change_and_the_first_status_is_kept_quietly(
    gateway: _Gateway, vendor_api: FakeVendorApi
) -> None:
    await _open_case(gateway.sessions, "t-1")
    for status in ("new", "new", "waiting on engineering", "waiting on engineering"):
        vendor_api.answers["GET"] = Answer.json(200, {"status": status})
        await _due_again(gateway.sessions)
        await gateway.poller.poll_due()
    case = await _case(gateway.sessions, "t-1")
    assert (case.status, case.vendor_status) == ("open", "waiting on engineering")
    events = await _events(gateway.sessions)
    assert [(kind, body["status"]) for kind, body in events] == [
        ("VendorCaseUpdated", "waiting on engineering")
    ]
    assert (gateway.polls("answered"), gateway.polls("unchanged")) == (1, 3)


async def test_two_instances_polling_together_ask_about_each_case_once(
    sessions: async_sessionmaker[AsyncSession], vendor_api: FakeVendorApi
) -> None:
    for i in range(40):
        await _open_case(sessions, f"t-{i}")
    vendor_api.answers["GET"] = Answer(200, json.dumps({"status": "new"}).encode(), delay=0.05)
    first, second = _Gateway(sessions, vendor_api.url), _Gateway(sessions, vendor_api.url)
    try:
        await asyncio.gather(first.poller.poll_due(), second.poller.poll_due())
        await asyncio.gather(first.poller.poll_due(), second.poller.poll_due())
    finally:
        await first.http.aclose()
        await second.http.aclose()
    asked = sorted(r.path for r in vendor_api.received)
    assert asked == sorted(f"/MS-t-{i}" for i in range(40))


async def test_a_case_is_chased_once_per_level_and_at_the_highest_level_it_has_reached(
    gateway: _Gateway,
) -> None:
    await _open_case(gateway.sessions, "fresh", opened_hours_ago=0.5)
    await _open_case(gateway.sessions, "waited", opened_hours_ago=2)
    await _open_case(gateway.sessions, "forgotten", opened_hours_ago=5)
    assert await gateway.chaser.chase_due() is False
    assert await gateway.chaser.chase_due() is False  # nothing new on the second sweep
    levels = {
        t: (await _case(gateway.sessions, t)).chased_levels
        for t in ("fresh", "waited", "forgotten")
    }
    assert levels == {"fresh": 0, "waited": 1, "forgotten": 2}
    events = await _events(gateway.sessions)
    updates = sorted(body["status"] for kind, body in events if kind == "VendorCaseUpdated")
    assert updates == [
        "unresolved after 1 hour: chase duty manager",
        "unresolved after 4 hours: chase director",
    ]
    notices = [body for kind, body in events if kind == "NotificationRequested"]
    assert sorted(n["subject"].rsplit(": ", 1)[-1] for n in notices) == [
        "chase director",
        "chase duty manager",
    ]
    assert any(DIRECTOR in n["body"] for n in notices)

    # Three more hours on, the case chased to the duty manager reaches the director.
    async with gateway.sessions() as session, session.begin():
        await session.execute(
            update(vendor_cases)
            .where(vendor_cases.c.ticket_id == "waited")
            .values(opened_at=utc_now() - timedelta(hours=5))
        )
    await gateway.chaser.chase_due()
    assert (await _case(gateway.sessions, "waited")).chased_levels == 2
    assert (await _case(gateway.sessions, "forgotten")).chased_levels == 2
    assert len([k for k, _ in await _events(gateway.sessions) if k == "VendorCaseUpdated"]) == 3


async def test_a_resolved_case_is_neither_polled_nor_chased(
    gateway: _Gateway, vendor_api: FakeVendorApi
) -> None:
    await _open_case(gateway.sessions, "t-1", opened_hours_ago=5)
    async with gateway.sessions() as session, session.begin():
        row = await case_store.case_of(session, "t-1", "microsoft", lock=True)
        assert row is not None
        await case_store.change(session, row, status="resolved", resolved_at=utc_now())
    await gateway.poller.poll_due()
    await gateway.chaser.chase_due()
    assert vendor_api.received == []
    assert await _events(gateway.sessions) == []
