"""Integration fixtures: a runtime-like set of real pieces bound to the test's namespace."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from escalator_shared.bus.admin import ensure_topics
from escalator_shared.bus.producer import EventProducer
from escalator_shared.db.engine import build_engine
from escalator_shared.db.migrations import migrate
from escalator_shared.events import Topics
from escalator_sla_timer.bootstrap import MIGRATIONS as SLA_TIMER_MIGRATIONS
from tests.harness.environment import Infrastructure
from tests.harness.isolation import Namespace
from tests.integration.fake_vendor_api import FakeVendorApi

pytestmark = pytest.mark.integration

PLUMBING_ONLY_MIGRATIONS = Path(__file__).parent / "migrations"


@pytest.fixture
def topics(namespace: Namespace) -> Topics:
    """The test's own topics."""
    return Topics(namespace.topic_prefix)


@pytest.fixture
async def bootstrap(infrastructure: Infrastructure, topics: Topics, namespace: Namespace) -> str:
    """The broker address, with the test's topics (and a dead-letter topic) created."""
    await ensure_topics(
        infrastructure.kafka_bootstrap_servers,
        [*topics.all(), topics.dead_letter("probe")],
        partitions=3,
        replication_factor=1,
    )
    return infrastructure.kafka_bootstrap_servers


@pytest.fixture
async def producer(bootstrap: str) -> AsyncIterator[EventProducer]:
    """A started producer."""
    producer = EventProducer(bootstrap, "tests")
    await producer.start()
    yield producer
    await producer.stop()


@pytest.fixture
async def engine(database_url: str, namespace: Namespace) -> AsyncIterator[AsyncEngine]:
    """An engine on the test's own schema, migrated with the plumbing tables and a probe table."""
    engine = build_engine(database_url, namespace.schema("probe"), pool_size=4)
    await migrate(engine, namespace.schema("probe"), PLUMBING_ONLY_MIGRATIONS)
    yield engine
    async with engine.begin() as conn:
        await conn.execute(text(f'DROP SCHEMA "{namespace.schema("probe")}" CASCADE'))
    await engine.dispose()


@pytest.fixture
async def timer_engine(database_url: str, namespace: Namespace) -> AsyncIterator[AsyncEngine]:
    """An engine on a schema migrated with the SLA timer's own migrations."""
    schema = namespace.schema("sla-timer")
    engine = build_engine(database_url, schema, pool_size=8)
    await migrate(engine, schema, SLA_TIMER_MIGRATIONS)
    yield engine
    async with engine.begin() as conn:
        await conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    await engine.dispose()


@pytest.fixture
def vendor_api() -> Iterator[FakeVendorApi]:
    """A vendor's case API: a real HTTP server on 127.0.0.1, started, stopped after the test."""
    server = FakeVendorApi()
    server.start()
    yield server
    server.stop()
