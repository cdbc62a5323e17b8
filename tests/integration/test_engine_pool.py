"""Pooled connections are tested before reuse only after sitting idle; a dead one is replaced
then, and one that died within the idle second fails as a transient error and is replaced
on the next use."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncEngine

from escalator_shared.db.engine import PING_AFTER_IDLE_SECONDS, build_engine
from escalator_shared.errors import is_transient
from tests.harness.isolation import Namespace

pytestmark = pytest.mark.integration


@pytest.fixture
async def one_connection(database_url: str, namespace: Namespace) -> AsyncIterator[AsyncEngine]:
    """An engine whose pool lends out one connection at a time."""
    engine = build_engine(database_url, namespace.schema("pool"), pool_size=1)
    yield engine
    await engine.dispose()


async def backend_of(engine: AsyncEngine) -> int:
    async with engine.connect() as conn:
        return int(await conn.scalar(text("SELECT pg_backend_pid()")))


async def terminate(other: AsyncEngine, pid: int) -> None:
    async with other.connect() as conn:
        assert await conn.scalar(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
    await asyncio.sleep(0.1)


async def test_a_connection_that_died_while_idle_is_replaced_before_use(
    one_connection: AsyncEngine, engine: AsyncEngine
) -> None:
    first = await backend_of(one_connection)
    await terminate(engine, first)
    await asyncio.sleep(PING_AFTER_IDLE_SECONDS)
    second = await backend_of(one_connection)  # no error: tested, found dead, replaced
    assert second != first


async def test_a_connection_reused_at_once_is_not_tested_and_a_dead_one_fails_transiently(
    one_connection: AsyncEngine, engine: AsyncEngine
) -> None:
    first = await backend_of(one_connection)
    assert await backend_of(one_connection) == first  # reused within the second
    await terminate(engine, first)
    with pytest.raises(DBAPIError) as failed:
        await backend_of(one_connection)
    assert is_transient(failed.value)
    assert await backend_of(one_connection) not in (first, 0)
