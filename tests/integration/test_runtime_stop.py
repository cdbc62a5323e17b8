"""A service runtime's stop: tasks first, then what was registered to close, then the rest."""

from __future__ import annotations

import asyncio

from escalator_shared.observability.metrics import ServiceMetrics
from escalator_shared.runtime import ServiceRuntime
from escalator_shared.settings import ServiceSettings
from tests.harness.environment import Infrastructure
from tests.harness.isolation import Namespace
from tests.integration.conftest import PLUMBING_ONLY_MIGRATIONS


async def test_closers_run_after_the_tasks_stopped_even_when_one_fails(
    infrastructure: Infrastructure, database_url: str, namespace: Namespace
) -> None:
    settings = ServiceSettings(
        service_name="runtime-stop",
        kafka_bootstrap_servers=infrastructure.kafka_bootstrap_servers,
        database_url=database_url,
        database_schema=namespace.schema("runtime"),
        topic_prefix=namespace.topic_prefix,
        topic_partitions=1,
    )
    runtime = ServiceRuntime(
        settings, ServiceMetrics.create("runtime-stop"), PLUMBING_ONLY_MIGRATIONS
    )
    order: list[str] = []
    running, stopped = asyncio.Event(), asyncio.Event()

    async def task() -> None:
        running.set()
        await stopped.wait()
        order.append("task ended")

    async def failing_close() -> None:
        order.append("failing closer")
        raise RuntimeError("already closed")

    async def close() -> None:
        order.append("closer")

    runtime.add_task("waits", task, stopped.set)
    runtime.add_closer(close)
    runtime.add_closer(failing_close)
    await runtime.start()
    await asyncio.wait_for(running.wait(), timeout=10)
    await runtime.stop()
    # Closers run in reverse order of registration; one that fails does not stop the others.
    assert order == ["task ended", "failing closer", "closer"]
