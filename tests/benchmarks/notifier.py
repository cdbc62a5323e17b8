"""Benchmark: notifications fanned out by the notifier to a local HTTP receiver.

One notifier process (or more) on Kafka and PostgreSQL from `deploy/local/infra.sh`, and a
webhook receiver (tests/benchmarks/receiver_stub.py, its own process). The configuration has
`--people` technicians, each with a generic webhook at the receiver and the rule "assigned:
webhook", and rate limits high enough not to bundle. For each ticket the benchmark produces an
EscalationStepReached paging one technician (round robin), open-loop at `--rate` per second for
`--seconds`.

Figures:
- **notifications/s**: messages received divided by the time from the first event produced to
  the last message received;
- **event to delivery**: per message, from the event produced to its arrival at the receiver
  (consumer, queue, worker, HTTP), wall clock on one machine;
- **duplicates**: messages received more than once (by delivery id), and tickets with more than
  one message;
- **stages**, from the deliveries' own times: event to queued (Kafka, the consumer, the handler)
  and queued to recorded (the commit, the worker's poll and claim, the HTTP call, the record).

Usage: python -m tests.benchmarks.notifier [--rate 1000] [--seconds 20] [--instances 1]
       [--people 50] [--batch 200]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import yaml
from aiokafka import AIOKafkaProducer

from escalator_shared.events import Envelope, EscalationStepReached, Priority
from tests.benchmarks.service_processes import start_services
from tests.benchmarks.stubs import percentiles, start_stub
from tests.harness.environment import REPO, provide_infrastructure
from tests.harness.isolation import Namespace, asyncpg_dsn, unique_suffix


def bench_config(directory: Path, receiver_url: str, people: int) -> Path:
    """The example configuration plus `people` technicians reached by webhook only."""
    config: dict[str, Any] = yaml.safe_load((REPO / "deploy/config/example.yaml").read_text())
    config["people"].extend(
        {
            "id": f"bench{n:03d}",
            "name": f"Bench Technician {n}",
            "email": f"bench{n:03d}@msp.example",
            "webhook_url": f"{receiver_url}/bench{n:03d}",
            "notify": {"rules": {"assigned": ["webhook"]}},
        }
        for n in range(people)
    )
    config["notifications"]["rate_limits"] = {"webhook": {"max": 1_000_000, "per": "1m"}}
    path = directory / "config.yaml"
    path.write_text(yaml.safe_dump(config))
    return path


def _event(n: int, run: str, people: int) -> tuple[bytes, bytes]:
    ticket_id = f"bench-{run}-{n:07d}"
    reached = EscalationStepReached(
        title=f"Disk C: 95% full on srv-{n}",
        priority=Priority.P3,
        policy="standard",
        step=0,
        round=0,
        step_name="L1 on call",
        reason="routed",
        people=[f"bench{n % people:03d}"],
        via=["bench"],
    )
    envelope = Envelope.wrap(reached, ticket_id=ticket_id, client_id="acme", producer="bench")
    return ticket_id.encode(), envelope.to_bytes()


async def _warm_up(
    producer: AIOKafkaProducer, prefix: str, people: int, stats_url: str, count: int = 20
) -> None:
    """Send a few messages and wait for them: the consumer has its partitions, the HTTP
    connections are open (these are left out of the figures)."""
    run = f"warm-{unique_suffix()}"
    for n in range(count):
        key, value = _event(n, run, people)
        await producer.send(f"{prefix}routing", value=value, key=key)
    await producer.flush()
    deadline = time.monotonic() + 120
    async with httpx.AsyncClient() as client:
        while time.monotonic() < deadline:
            arrivals = (await client.get(stats_url, timeout=30)).json()["arrivals"]
            if sum(ticket.startswith(f"bench-{run}") for ticket, _ in arrivals.values()) >= count:
                return
            await asyncio.sleep(0.2)
    raise RuntimeError("the warm-up messages never arrived")


async def _drive(
    bootstrap: str, prefix: str, rate: int, seconds: float, people: int, stats_url: str
) -> dict[str, float]:
    """Produce at `rate`; the produce time (wall clock) by ticket id."""
    run = unique_suffix()
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, linger_ms=2, acks="all")
    await producer.start()
    produced: dict[str, float] = {}
    try:
        await _warm_up(producer, prefix, people, stats_url)
        started = time.monotonic()
        for n in range(int(rate * seconds)):
            await asyncio.sleep(max(started + n / rate - time.monotonic(), 0))
            key, value = _event(n, run, people)
            await producer.send(f"{prefix}routing", value=value, key=key)
            produced[key.decode()] = time.time()
        await producer.flush()
    finally:
        await producer.stop()
    return produced


def _collect(stats_url: str, expected: int, within: float) -> dict[str, list[Any]]:
    deadline = time.monotonic() + within
    arrivals: dict[str, list[Any]] = {}
    while time.monotonic() < deadline:
        arrivals = httpx.get(stats_url, timeout=30).json()["arrivals"]
        if len(arrivals) >= expected + 20:  # and the warm-up's
            break
        time.sleep(0.5)
    time.sleep(1)  # late duplicates, if any
    final: dict[str, list[Any]] = httpx.get(stats_url, timeout=30).json()["arrivals"]
    return final


def _report(
    args: argparse.Namespace, produced: dict[str, float], arrivals: dict[str, list[Any]]
) -> None:
    first: dict[str, float] = {}
    for ticket_id, times in arrivals.values():
        if ticket_id in produced:
            first[ticket_id] = min(first.get(ticket_id, times[0]), *times)
    latencies = [at - produced[t] for t, at in first.items() if t in produced]
    span = max(first.values()) - min(produced.values()) if first else float("nan")
    measured = [(t, times) for t, times in arrivals.values() if t in produced]
    resent = sum(len(times) - 1 for _, times in measured)
    per_ticket = Counter(ticket_id for ticket_id, _ in measured)
    roles = " (one consuming, one sending)" if args.split else ""
    print(
        f"notifier, {args.instances} process(es){roles}, {args.people} recipients by webhook, "
        f"batch {args.batch}, {args.connections} connections, "
        f"{args.transaction} events per consumer transaction, "
        f"offered {args.rate} notifications/s for {args.seconds:g} s"
    )
    print(
        f"  delivered: {len(first)}/{len(produced)} in {span:.1f} s "
        f"= {len(first) / span:,.0f} notifications/s"
    )
    print(f"  event to delivery: {percentiles(latencies)}")
    print(
        f"  duplicates: {resent} resent deliveries, "
        f"{sum(n > 1 for n in per_ticket.values())} tickets with more than one message"
    )


def _split_roles(n: int) -> dict[str, str]:
    """Process 0 consumes events into queued deliveries; process 1 sends them."""
    return {"ESCALATOR_DELIVERY_WORKER": "false"} if n == 0 else {"ESCALATOR_CONSUMERS": "false"}


async def _stages(database_url: str, schema: str, produced: dict[str, float]) -> str:
    """Where the time goes, from the deliveries' own times: event to queued (Kafka, the consumer
    and its handler, up to the row being made) and queued to recorded (the handler's commit, the
    worker's poll and claim, the HTTP call, the record)."""
    connection = await asyncpg.connect(asyncpg_dsn(database_url))
    try:
        rows = await connection.fetch(
            f"SELECT ticket_id, trigger_occurred_at, created_at, finished_at "  # noqa: S608
            f'FROM "{schema}".deliveries WHERE finished_at IS NOT NULL'
        )
    finally:
        await connection.close()
    measured = [r for r in rows if r["ticket_id"] in produced]
    queued = [(r["created_at"] - r["trigger_occurred_at"]).total_seconds() for r in measured]
    recorded = [(r["finished_at"] - r["created_at"]).total_seconds() for r in measured]
    return (
        f"  event to queued: {percentiles(queued)}\n  queued to recorded: {percentiles(recorded)}"
    )


def main() -> None:
    """Run the benchmark and print its figures."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rate", type=int, default=1000)
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--instances", type=int, default=1)
    parser.add_argument("--people", type=int, default=50)
    parser.add_argument("--batch", type=int, default=200, help="messages claimed at once")
    parser.add_argument(
        "--connections", type=int, default=16, help="HTTP connections (messages in flight)"
    )
    parser.add_argument(
        "--transaction", type=int, default=100, help="events per consumer transaction"
    )
    parser.add_argument(
        "--split",
        action="store_true",
        help="two processes: one consuming (queues deliveries), one sending",
    )
    args = parser.parse_args()
    if args.split:
        args.instances = 2
    with contextlib.ExitStack() as stack:
        infra = provide_infrastructure(stack)
        namespace = Namespace(unique_suffix())
        workdir = Path(stack.enter_context(tempfile.TemporaryDirectory()))
        receiver = start_stub(stack, "tests.benchmarks.receiver_stub")
        config = bench_config(workdir, receiver, args.people)
        start_services(
            stack,
            infra,
            namespace,
            "notifier",
            config,
            args.instances,
            partitions=6,
            transaction_size=args.transaction,
            env={
                "ESCALATOR_DELIVERY_BATCH_SIZE": str(args.batch),
                "ESCALATOR_HTTP_CONNECTIONS": str(args.connections),
            },
            env_of=_split_roles if args.split else None,
        )
        produced = asyncio.run(
            _drive(
                infra.kafka_bootstrap_servers,
                namespace.topic_prefix,
                args.rate,
                args.seconds,
                args.people,
                f"{receiver}/stats",
            )
        )
        arrivals = _collect(f"{receiver}/stats", len(produced), within=120)
        _report(args, produced, arrivals)
        print(asyncio.run(_stages(infra.database_url, namespace.schema("notifier"), produced)))


if __name__ == "__main__":
    main()
