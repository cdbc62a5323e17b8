"""Benchmark: alerts/s that intake accepts durably (Kafka acks=all) and its latency.

Starts Kafka and PostgreSQL (deploy/local/infra.sh, or KAFKA_BOOTSTRAP_SERVERS / DATABASE_URL),
one intake process, and drives it with an asyncio + httpx load generator on the same machine.
The generator's own ceiling is measured first against intake's /healthz (no Kafka work), so the
figures show how much of the limit is the generator's.

Usage: python -m tests.benchmarks.intake_throughput [--seconds 10] [--concurrency 64]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import statistics
import tempfile
import time
from pathlib import Path

import httpx

from tests.harness.environment import REPO, provide_infrastructure
from tests.harness.isolation import Namespace, unique_suffix
from tests.harness.processes import ServiceProcess

TOKEN = "dev-token-acme-monitoring"


async def _load(
    url: str, seconds: float, concurrency: int, body: dict[str, object] | None
) -> tuple[int, int, list[float]]:
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    latencies: list[float] = []
    failures = 0
    deadline = time.perf_counter() + seconds
    async with httpx.AsyncClient(limits=limits, timeout=30) as client:

        async def worker(n: int) -> None:
            nonlocal failures
            i = 0
            while time.perf_counter() < deadline:
                i += 1
                started = time.perf_counter()
                if body is None:
                    response = await client.get(url)
                else:
                    payload = {**body, "dedup_key": f"bench-{n}-{i}"}
                    response = await client.post(
                        url, json=payload, headers={"Authorization": f"Bearer {TOKEN}"}
                    )
                latencies.append(time.perf_counter() - started)
                if response.status_code not in (200, 202):
                    failures += 1

        await asyncio.gather(*(worker(n) for n in range(concurrency)))
    return len(latencies), failures, latencies


def _report(label: str, seconds: float, result: tuple[int, int, list[float]]) -> None:
    count, failures, latencies = result
    quantiles = statistics.quantiles(latencies, n=100)
    print(
        f"{label:<34} {count / seconds:>9.0f} req/s   p50 {quantiles[49] * 1000:6.1f} ms   "
        f"p99 {quantiles[98] * 1000:6.1f} ms   non-2xx {failures}"
    )


def main() -> None:
    """Run the benchmark and print its figures."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--concurrency", type=int, default=64)
    args = parser.parse_args()
    with contextlib.ExitStack() as stack:
        infra = provide_infrastructure(stack)
        namespace = Namespace(unique_suffix())
        workdir = Path(stack.enter_context(tempfile.TemporaryDirectory()))
        intake = ServiceProcess(
            "intake",
            {
                "ESCALATOR_KAFKA_BOOTSTRAP_SERVERS": infra.kafka_bootstrap_servers,
                "ESCALATOR_DATABASE_URL": infra.database_url,
                "ESCALATOR_DATABASE_SCHEMA": namespace.schema("intake"),
                "ESCALATOR_TOPIC_PREFIX": namespace.topic_prefix,
                "ESCALATOR_CONFIG": str(REPO / "deploy/config/example.yaml"),
                "ESCALATOR_LOG_LEVEL": "WARNING",
            },
            workdir,
        )
        intake.start()
        stack.callback(intake.stop)
        intake.wait_ready()
        print(
            f"intake benchmark: {args.seconds:g} s per run, {args.concurrency} connections, "
            "generator: asyncio + httpx in one process on the same machine"
        )
        ceiling = asyncio.run(_load(f"{intake.url}/healthz", args.seconds, args.concurrency, None))
        _report("generator ceiling (GET /healthz)", args.seconds, ceiling)
        alert: dict[str, object] = {
            "title": "Disk C: 95% full",
            "severity": "major",
            "device": "srv-01",
        }
        url = f"{intake.url}/v1/webhooks/acme-monitoring"
        result = asyncio.run(_load(url, args.seconds, args.concurrency, alert))
        _report("single alerts (POST, durable)", args.seconds, result)


if __name__ == "__main__":
    main()
