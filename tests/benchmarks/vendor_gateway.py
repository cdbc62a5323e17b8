"""Benchmark: vendor cases opened through the vendor gateway against a local HTTP vendor.

One vendor-gateway process on Kafka and PostgreSQL from `deploy/local/infra.sh`, and a vendor
API stand-in (tests/benchmarks/vendor_stub.py, its own process) answering after
`--vendor-latency-ms`. For each ticket the benchmark produces its TicketOpened and a
VendorCaseRequested, open-loop at `--rate` per second for `--warmup` plus `--seconds`, and reads
every VendorCaseOpened back from the vendor topic. The warm-up (the processes joining their
consumer group, opening pooled connections, catching up with what was produced before they
were ready) is reported on a line of its own and left out of the figures.

Figures:
- **cases/s**: cases opened divided by the time from the first measured request produced to the
  last measured VendorCaseOpened received from Kafka;
- **gateway overhead**: per case, the time from the case being ready to send (its request
  handled) to its opening recorded, minus the vendor's own time for it (measured inside the
  stand-in);
- **end to end**: request produced to VendorCaseOpened received (consumer, opener, outbox relay,
  broker), also minus the vendor's own time;
- **one case per ticket**: POSTs per Idempotency-Key at the vendor, and cases open in the table.

Usage: python -m tests.benchmarks.vendor_gateway [--rate 250] [--seconds 30] [--warmup 10]
       [--instances 1] [--vendor-latency-ms 20] [--batch 64]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import tempfile
import time
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import yaml
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer

from escalator_shared.events import (
    Envelope,
    Priority,
    Severity,
    TicketOpened,
    VendorCaseRequested,
    utc_now,
)
from tests.benchmarks.service_processes import start_services
from tests.benchmarks.stubs import percentiles, start_stub
from tests.harness.environment import REPO, provide_infrastructure
from tests.harness.isolation import Namespace, asyncpg_dsn, unique_suffix

VENDOR = "benchvendor"


def bench_config(directory: Path, vendor_url: str) -> Path:
    """The example configuration with a REST vendor at the stand-in (webhook preset)."""
    config: dict[str, Any] = yaml.safe_load((REPO / "deploy/config/example.yaml").read_text())
    config["vendors"].append(
        {
            "id": VENDOR,
            "name": "Bench Vendor",
            "api": {"preset": "webhook", "url": vendor_url, "timeout": "10s"},
            "requires": [
                {"name": "summary", "source": "ticket.title"},
                {"name": "client", "source": "client.name"},
            ],
            "commitment": {"acknowledge": {p.value: "4h" for p in Priority}},
            "last_reviewed": utc_now().date().isoformat(),
        }
    )
    path = directory / "config.yaml"
    path.write_text(yaml.safe_dump(config))
    return path


def _messages(n: int, run: str) -> tuple[bytes, bytes, bytes]:
    """(key, TicketOpened, VendorCaseRequested) of ticket n."""
    ticket_id = f"bench-{run}-{n:07d}"
    opened = TicketOpened(
        title=f"Disk array fault {n}",
        source="generic",
        integration="bench",
        dedup_key=f"bench-{run}-{n}",
        severity=Severity.MAJOR,
        priority=Priority.P2,
        opened_at=utc_now(),
    )
    requested = VendorCaseRequested(vendor=VENDOR, reason="benchmark", requested_by="bench")
    wrap = {"ticket_id": ticket_id, "client_id": "acme", "producer": "bench"}
    return (
        ticket_id.encode(),
        Envelope.wrap(opened, **wrap).to_bytes(),  # type: ignore[arg-type]
        Envelope.wrap(requested, **wrap).to_bytes(),  # type: ignore[arg-type]
    )


async def _drive(
    bootstrap: str, prefix: str, rate: int, seconds: float
) -> tuple[dict[str, float], dict[str, float]]:
    """Produce at `rate`; return (produced at, opened received at) by ticket id (wall clock)."""
    run = unique_suffix()
    total = int(rate * seconds)
    counter = AIOKafkaConsumer(
        f"{prefix}vendor", bootstrap_servers=bootstrap, auto_offset_reset="latest"
    )
    await counter.start()
    await counter.getmany(timeout_ms=500)
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, linger_ms=2, acks="all")
    await producer.start()
    produced: dict[str, float] = {}
    received: dict[str, float] = {}

    async def read() -> None:
        while len(received) < total:
            for batch in (await counter.getmany(timeout_ms=200)).values():
                for record in batch:
                    envelope = Envelope.from_bytes(record.value)
                    if envelope.event_type == "VendorCaseOpened":
                        received.setdefault(envelope.ticket_id, time.time())

    reader = asyncio.create_task(read())
    try:
        started = time.monotonic()
        for n in range(total):
            await asyncio.sleep(max(started + n / rate - time.monotonic(), 0))
            key, opened, requested = _messages(n, run)
            await producer.send(f"{prefix}tickets", value=opened, key=key)
            await producer.send(f"{prefix}vendor", value=requested, key=key)
            produced[key.decode()] = time.time()
        await producer.flush()
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(reader, timeout=120)
    finally:
        reader.cancel()
        await producer.stop()
        await counter.stop()
    return produced, received


async def _stored_cases(database_url: str, schema: str) -> list[asyncpg.Record]:
    connection = await asyncpg.connect(asyncpg_dsn(database_url))
    try:
        return list(
            await connection.fetch(
                f"SELECT ticket_id, case_key, status, attempts, ready_at, opened_at "  # noqa: S608
                f'FROM "{schema}".vendor_cases'
            )
        )
    finally:
        await connection.close()


def _latencies(
    tickets: list[str],
    received: dict[str, float],
    produced: dict[str, float],
    by_ticket: dict[str, asyncpg.Record],
    vendor_time: dict[str, float],
) -> tuple[list[float], list[float]]:
    """(gateway overhead, end to end) of the tickets whose case was opened and read back."""
    gateway, end_to_end = [], []
    for ticket_id in tickets:
        case, got = by_ticket.get(ticket_id), received.get(ticket_id)
        if case is None or case["opened_at"] is None or got is None:
            continue
        spent = vendor_time.get(case["case_key"], 0.0)
        gateway.append((case["opened_at"] - case["ready_at"]).total_seconds() - spent)
        end_to_end.append(got - produced[ticket_id] - spent)
    return gateway, end_to_end


def _report(
    args: argparse.Namespace,
    produced: dict[str, float],
    received: dict[str, float],
    posts: dict[str, list[float]],
    cases: list[asyncpg.Record],
) -> None:
    vendor_time = {key: sum(times) for key, times in posts.items()}
    by_ticket = {c["ticket_id"]: c for c in cases}
    ordered = sorted(produced, key=produced.__getitem__)
    warm = int(args.rate * args.warmup)
    warm_up, measured = ordered[:warm], ordered[warm:]
    opened_measured = [t for t in measured if t in received]
    span = (
        max(received[t] for t in opened_measured) - produced[measured[0]]
        if opened_measured
        else float("nan")
    )
    gateway, end_to_end = _latencies(measured, received, produced, by_ticket, vendor_time)
    warm_gateway, _ = _latencies(warm_up, received, produced, by_ticket, vendor_time)
    duplicates = sum(len(times) - 1 for times in posts.values())
    opened = sum(c["status"] == "open" for c in cases)
    print(
        f"vendor gateway, {args.instances} process(es), {args.batch} cases at once each, "
        f"{args.transaction_size} events per consumer transaction, vendor latency "
        f"{args.vendor_latency_ms:.0f} ms, offered {args.rate} cases/s"
    )
    print(
        f"  warm-up ({args.warmup:.0f} s, left out below): "
        f"{sum(t in received for t in warm_up)}/{len(warm_up)} opened, "
        f"gateway overhead {percentiles(warm_gateway)}"
    )
    print(
        f"  cases opened: {len(opened_measured)}/{len(measured)} in {span:.1f} s "
        f"= {len(opened_measured) / span:,.0f} cases/s"
    )
    print(f"  gateway overhead (ready -> recorded, minus vendor time): {percentiles(gateway)}")
    print(
        "  end to end (request produced -> VendorCaseOpened read, minus vendor time): "
        f"{percentiles(end_to_end)}"
    )
    print(f"  vendor's own time per case: {percentiles(list(vendor_time.values()))}")
    print(
        f"  one case per ticket (warm-up included): {opened} open in the table, "
        f"{len(received)}/{len(produced)} read back, {duplicates} duplicate POSTs"
    )


def main() -> None:
    """Run the benchmark and print its figures."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rate", type=int, default=250)
    parser.add_argument("--seconds", type=float, default=30.0, help="measured, after the warm-up")
    parser.add_argument(
        "--warmup", type=float, default=10.0, help="seconds at the same rate, left out"
    )
    parser.add_argument("--vendor-latency-ms", type=float, default=20.0)
    parser.add_argument("--instances", type=int, default=1)
    parser.add_argument("--batch", type=int, default=64, help="cases sent at once per process")
    parser.add_argument(
        "--transaction-size", type=int, default=100, help="events per consumer transaction"
    )
    args = parser.parse_args()
    with contextlib.ExitStack() as stack:
        infra = provide_infrastructure(stack)
        namespace = Namespace(unique_suffix())
        workdir = Path(stack.enter_context(tempfile.TemporaryDirectory()))
        stub = start_stub(
            stack,
            "tests.benchmarks.vendor_stub",
            "--latency-ms",
            str(args.vendor_latency_ms),
        )
        config = bench_config(workdir, f"{stub}/cases")
        start_services(
            stack,
            infra,
            namespace,
            "vendor-gateway",
            config,
            args.instances,
            partitions=6,
            transaction_size=args.transaction_size,
            env={
                "ESCALATOR_CASE_BATCH_SIZE": str(args.batch),
                "ESCALATOR_VENDOR_HTTP_CONNECTIONS": str(args.batch),
            },
        )
        produced, received = asyncio.run(
            _drive(
                infra.kafka_bootstrap_servers,
                namespace.topic_prefix,
                args.rate,
                args.warmup + args.seconds,
            )
        )
        time.sleep(1)
        posts = httpx.get(f"{stub}/stats", timeout=30).json()["posts"]
        cases = asyncio.run(_stored_cases(infra.database_url, namespace.schema("vendor-gateway")))
        _report(args, produced, received, posts, cases)


if __name__ == "__main__":
    main()
