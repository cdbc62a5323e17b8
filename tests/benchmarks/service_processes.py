"""Several processes of one service in one consumer group, as the benchmarks start them."""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from pathlib import Path

from tests.harness.environment import Infrastructure
from tests.harness.isolation import Namespace
from tests.harness.processes import ServiceProcess


def start_services(
    stack: contextlib.ExitStack,
    infra: Infrastructure,
    namespace: Namespace,
    service: str,
    config: Path,
    count: int,
    *,
    partitions: int,
    transaction_size: int,
    env: dict[str, str] | None = None,
    env_of: Callable[[int], dict[str, str]] | None = None,
) -> list[ServiceProcess]:
    """Start `count` processes of `service` with `config` (logs beside it), each stopped when
    `stack` closes; return once all are ready. `env_of(n)` adds variables for process n."""
    processes = [
        ServiceProcess(
            service,
            {
                "ESCALATOR_KAFKA_BOOTSTRAP_SERVERS": infra.kafka_bootstrap_servers,
                "ESCALATOR_DATABASE_URL": infra.database_url,
                "ESCALATOR_DATABASE_SCHEMA": namespace.schema(service),
                "ESCALATOR_TOPIC_PREFIX": namespace.topic_prefix,
                "ESCALATOR_TOPIC_PARTITIONS": str(partitions),
                "ESCALATOR_CONFIG": str(config),
                "ESCALATOR_LOG_LEVEL": "WARNING",
                "ESCALATOR_CONSUMER_TRANSACTION_SIZE": str(transaction_size),
                **(env or {}),
                **(env_of(n) if env_of else {}),
            },
            config.parent / f"{service}-{n}",
        )
        for n in range(count)
    ]
    for process in processes:
        process.log_dir.mkdir(parents=True, exist_ok=True)
        process.start()
        stack.callback(process.stop)
        process.wait_ready()
    return processes
