"""Benchmark: tickets/s one router process routes on a real broker and PostgreSQL.

Starts Kafka and PostgreSQL (deploy/local/infra.sh, or KAFKA_BOOTSTRAP_SERVERS / DATABASE_URL)
and one router process with the routing benchmark's configuration (500 rules, 200 clients, 50
schedules). Once it is ready, TicketOpened events are produced to the tickets topic as fast as
aiokafka can, and a consumer of the routing topic counts TicketRouted. A ticket is routed when
its decision, its escalation chain, step 0 and the events are committed in PostgreSQL and relayed
to Kafka; the figure is tickets divided by the time from the first produce to the last
TicketRouted seen.

Usage: python -m tests.benchmarks.router_throughput [--tickets 20000] [--partitions 6]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import random
import tempfile
import time
from pathlib import Path

import yaml
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer

from escalator_shared.events import Envelope, Priority, Severity, TicketOpened, utc_now
from tests.benchmarks.routing_decisions import CLIENTS, WORDS, generated_config
from tests.benchmarks.service_processes import start_services
from tests.harness.environment import provide_infrastructure
from tests.harness.isolation import Namespace, unique_suffix


def ticket_opened_message(n: int, rng: random.Random) -> tuple[str, bytes]:
    """A random ticket's TicketOpened for one of the benchmark's clients: (key, value)."""
    event = TicketOpened(
        title=f"{rng.choice(WORDS)} alert {n} on host",
        source="generic",
        integration="bench",
        dedup_key=f"bench-{n}",
        severity=rng.choice(list(Severity)),
        priority=rng.choice(list(Priority)),
        opened_at=utc_now(),
    )
    ticket_id = f"bench-{n:07d}-{rng.randrange(10**9)}"
    envelope = Envelope.wrap(
        event, ticket_id=ticket_id, client_id=f"c{rng.randrange(CLIENTS)}", producer="bench"
    )
    return ticket_id, envelope.to_bytes()


async def _run(bootstrap: str, prefix: str, tickets: int) -> tuple[float, int]:
    rng = random.Random(3)
    messages = [ticket_opened_message(n, rng) for n in range(tickets)]
    counter = AIOKafkaConsumer(
        f"{prefix}routing", bootstrap_servers=bootstrap, auto_offset_reset="latest"
    )
    await counter.start()
    await counter.getmany(timeout_ms=500)  # join and take the latest offsets before producing
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, linger_ms=5, acks="all")
    await producer.start()
    routed = 0
    try:
        started = time.perf_counter()
        for key, value in messages:
            await producer.send(f"{prefix}tickets", value=value, key=key.encode())
        await producer.flush()
        last = started
        deadline = time.monotonic() + 600
        while routed < tickets and time.monotonic() < deadline:
            for batch in (await counter.getmany(timeout_ms=500)).values():
                for record in batch:
                    if Envelope.from_bytes(record.value).event_type == "TicketRouted":
                        routed += 1
                        last = time.perf_counter()
        return last - started, routed
    finally:
        await producer.stop()
        await counter.stop()


def main() -> None:
    """Run the benchmark and print its figure."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--tickets", type=int, default=20_000)
    parser.add_argument("--partitions", type=int, default=6)
    parser.add_argument("--transaction-size", type=int, default=100)
    parser.add_argument("--routers", type=int, default=1, help="router processes (one group)")
    args = parser.parse_args()
    with contextlib.ExitStack() as stack:
        infra = provide_infrastructure(stack)
        namespace = Namespace(unique_suffix())
        workdir = Path(stack.enter_context(tempfile.TemporaryDirectory()))
        config = workdir / "config.yaml"
        config.write_text(yaml.safe_dump(generated_config().model_dump(mode="json")))
        start_services(
            stack,
            infra,
            namespace,
            "router",
            config,
            args.routers,
            partitions=args.partitions,
            transaction_size=args.transaction_size,
        )
        time.sleep(3 if args.routers > 1 else 0)  # let the group settle its partitions
        elapsed, routed = asyncio.run(
            _run(infra.kafka_bootstrap_servers, namespace.topic_prefix, args.tickets)
        )
        print(
            f"router benchmark: {args.routers} router process(es), {args.partitions} partitions, "
            f"up to {args.transaction_size} records per transaction, "
            f"500 rules / 200 clients / 50 schedules, all on this machine"
        )
        print(
            f"  routed {routed:,} of {args.tickets:,} tickets in {elapsed:.1f} s: "
            f"{routed / elapsed:,.0f} tickets/s (decision, chain, step 0, events committed)"
        )


if __name__ == "__main__":
    main()
