"""Session-wide infrastructure: one broker and one throwaway database for the whole run."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator
from contextlib import ExitStack

import pytest

from tests.harness.environment import Infrastructure, provide_infrastructure
from tests.harness.isolation import (
    Namespace,
    create_database,
    delete_issued_topics,
    drop_database,
    unique_suffix,
)


@pytest.fixture(scope="session")
def infrastructure() -> Iterator[Infrastructure]:
    """Kafka and PostgreSQL, found or started once per test session."""
    with ExitStack() as stack:
        infrastructure = provide_infrastructure(stack)
        yield infrastructure
        asyncio.run(delete_issued_topics(infrastructure.kafka_bootstrap_servers))


@pytest.fixture(scope="session")
async def database_url(infrastructure: Infrastructure) -> AsyncIterator[str]:
    """A database made for this test session, dropped at its end."""
    name = f"escalator_test_{unique_suffix()}"
    url = await create_database(infrastructure.database_url, name)
    yield url
    await drop_database(infrastructure.database_url, name)


@pytest.fixture
def namespace() -> Namespace:
    """Unique topic prefix and schema names for one test."""
    return Namespace(unique_suffix())
