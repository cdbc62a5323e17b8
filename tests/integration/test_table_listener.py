"""New rows wake a polling loop at commit through PostgreSQL's LISTEN/NOTIFY, in this process
or another, and the listener finds its way back after its connection was cut."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from escalator_notifier.delivery_worker import DeliveryWorker
from escalator_shared.db.table_listener import TableListener, notify_on_insert_sql
from escalator_shared.events import Priority
from escalator_shared.polling import PollingLoop
from tests.harness.isolation import Namespace
from tests.integration.notifier_pipeline import Pipelines, pipelines, step_reached

pytestmark = pytest.mark.integration


class Wakes:
    """Counts the listener's calls."""

    def __init__(self) -> None:
        self.count = 0
        self._changed = asyncio.Condition()

    def __call__(self) -> None:
        self.count += 1
        asyncio.get_running_loop().create_task(self._tell())

    async def _tell(self) -> None:
        async with self._changed:
            self._changed.notify_all()

    async def reach(self, count: int, within: float = 5.0) -> None:
        """Wait until the listener was called `count` times in all."""
        async with self._changed:
            await asyncio.wait_for(
                self._changed.wait_for(lambda: self.count >= count), timeout=within
            )


@contextlib.asynccontextmanager
async def listening(
    database_url: str, schema: str, table: str, on_insert: Callable[[], None]
) -> AsyncIterator[TableListener]:
    """A listener running for the block."""
    listener = TableListener(database_url, schema, table, on_insert)
    task = asyncio.create_task(listener.run())
    await asyncio.wait_for(listener.listening.wait(), timeout=10)
    try:
        yield listener
    finally:
        listener.stop()
        await asyncio.wait_for(task, timeout=10)


@pytest.fixture
async def probe_rows(engine: AsyncEngine) -> AsyncEngine:
    """The probe schema with a table whose inserts notify."""
    async with engine.begin() as conn:
        await conn.execute(text("CREATE TABLE probe_rows (id integer PRIMARY KEY)"))
        for statement in notify_on_insert_sql("probe_rows"):
            await conn.execute(text(statement))
    return engine


async def test_an_insert_wakes_the_listener_when_it_commits_and_not_before(
    probe_rows: AsyncEngine, database_url: str, namespace: Namespace
) -> None:
    wakes = Wakes()
    async with listening(database_url, namespace.schema("probe"), "probe_rows", wakes):
        assert wakes.count == 1  # once on connecting, for rows committed while nobody listened
        async with probe_rows.connect() as conn:
            transaction = await conn.begin()
            await conn.execute(text("INSERT INTO probe_rows VALUES (1), (2)"))
            await conn.execute(text("INSERT INTO probe_rows VALUES (3)"))
            with pytest.raises(TimeoutError):
                await wakes.reach(2, within=0.5)
            await transaction.commit()
        await wakes.reach(2)
        await asyncio.sleep(0.3)
        assert wakes.count == 2  # one notification per transaction, however many statements

        async with probe_rows.connect() as conn:
            transaction = await conn.begin()
            await conn.execute(text("INSERT INTO probe_rows VALUES (4)"))
            await transaction.rollback()
        await asyncio.sleep(0.5)
        assert wakes.count == 2  # nothing committed, nothing to wake for


async def test_the_listener_reconnects_after_its_connection_is_cut(
    probe_rows: AsyncEngine, database_url: str, namespace: Namespace
) -> None:
    wakes = Wakes()
    async with listening(database_url, namespace.schema("probe"), "probe_rows", wakes) as listener:
        async with probe_rows.begin() as conn:
            cut = await conn.scalar(
                text(
                    "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                    "WHERE application_name = :name"
                ),
                {"name": listener.application_name},
            )
        assert cut == 1
        await wakes.reach(2, within=10)  # reconnected, and woke the loop in case it missed rows
        assert listener.listening.is_set()
        async with probe_rows.begin() as conn:
            await conn.execute(text("INSERT INTO probe_rows VALUES (5)"))
        await wakes.reach(3)


@pytest.fixture
async def make(database_url: str, namespace: Namespace) -> AsyncIterator[Pipelines]:
    """Builds the test's notifier pipeline."""
    async with pipelines(database_url, namespace) as factory:
        yield factory


async def test_a_queued_delivery_wakes_the_notifiers_worker_long_before_its_next_poll(
    make: Pipelines, database_url: str, namespace: Namespace
) -> None:
    p = await make.build()
    await p.open_ticket("t-wake", Priority.P2)
    worker: DeliveryWorker = p.new_worker()
    loop = PollingLoop(worker.step, poll_seconds=60)
    async with listening(database_url, namespace.schema("notifier"), "deliveries", loop.wake):
        running = asyncio.create_task(loop.run())
        try:
            await asyncio.sleep(0.3)  # the loop found nothing and waits out its minute
            assert not await p.deliveries(status="sent")
            await p.handle(step_reached(Priority.P2, ["bob"]), "t-wake")
            deadline = asyncio.get_running_loop().time() + 10
            while not await p.deliveries(status="sent"):
                assert asyncio.get_running_loop().time() < deadline, "nothing was sent"
                await asyncio.sleep(0.05)
        finally:
            loop.stop()
            await asyncio.wait_for(running, timeout=10)
    assert await p.deliveries(status="sent")
