"""Benchmark: the SLA timer with a million pending timers on real PostgreSQL and Kafka.

Three phases against N sla-timer processes (one consumer group) with Kafka and PostgreSQL from
`deploy/local/infra.sh` (or KAFKA_BOOTSTRAP_SERVERS / DATABASE_URL):

1. **Scheduling**: TicketOpened events for 200 clients (business-hours calendars in four time
   zones with public holidays, and a 24x7 policy for P1/P2) are produced to the tickets topic as
   fast as aiokafka can; a consumer of the sla topic counts SlaClockStarted. A clock counts once
   its row, its log entry and its event are committed and relayed to Kafka. The figure is clocks
   divided by the time from the first produce to the last SlaClockStarted seen.
2. **Loading**: clocks built by the service's own domain code (`clock.start`, `clock_rows`) are
   copied into the clocks table until one million timers are pending (`fire_at` set), most of
   them due hours to weeks ahead, then `ANALYZE`.
3. **Firing**: among the million, a band of 24x7 clocks falls due at `--rate` per second for
   `--seconds`, starting shortly after loading ends. Every SlaBreached of the band is read from
   the sla topic; its lag is the time from the deadline (`due_at`) to the moment the benchmark
   received it from Kafka (row lock, re-evaluation, commit, outbox relay, broker), and the
   timer's own share is `breached_at - due_at`. Each band clock must breach exactly once.

Usage: python -m tests.benchmarks.sla_timer [--tickets 50000] [--instances 1] [--rate 1000]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import random
import tempfile
import time
from collections.abc import Iterator
from dataclasses import replace
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import asyncpg
import yaml
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from prometheus_client import CollectorRegistry

from escalator_shared.bus.dispatcher import HandlerContext
from escalator_shared.config import EscalatorConfig
from escalator_shared.db.engine import build_engine, build_session_factory
from escalator_shared.db.unit_of_work import UnitOfWork
from escalator_shared.events import (
    Envelope,
    TicketOpened,
    Topics,
    new_id,
    utc_now,
)
from escalator_sla_timer.clock_keeper import ClockKeeper
from escalator_sla_timer.clock_rows import StoredClock, new_row
from escalator_sla_timer.domain import clock as transitions
from escalator_sla_timer.domain.clock import Alerting
from escalator_sla_timer.domain.plans import CalendarBook, Planner
from escalator_sla_timer.opening_handlers import OpeningHandlers
from escalator_sla_timer.sla_metrics import SlaMetrics
from escalator_sla_timer.tables import clocks
from escalator_sla_timer.vendor_cases import VendorClocks
from tests.benchmarks.router_throughput import ticket_opened_message
from tests.benchmarks.routing_decisions import generated_config
from tests.benchmarks.service_processes import start_services
from tests.harness.environment import provide_infrastructure
from tests.harness.isolation import Namespace, asyncpg_dsn, unique_suffix

CLIENTS = 200
ZONES = [
    ("Europe/London", "GB", "ENG"),
    ("America/New_York", "US", "NY"),
    ("Europe/Berlin", "DE", "BE"),
    ("Australia/Sydney", "AU", "NSW"),
]
_WEEKDAYS = ["mon", "tue", "wed", "thu", "fri"]


def sla_config() -> EscalatorConfig:
    """The router benchmark's 200 clients and teams, each client on business hours in one of
    four time zones with its public holidays; P1/P2 around the clock, the rest in the client's
    hours."""
    document = generated_config().model_dump(mode="json")
    for n, client in enumerate(document["clients"]):
        zone, country, region = ZONES[n % len(ZONES)]
        client["time_zone"] = zone
        client["holidays"] = {"country": country, "subdivision": region}
        client["sla_policy"] = None
        if n % 2 == 0:
            client["business_hours"] = [
                {"days": _WEEKDAYS, "start": "08:00", "end": "12:30"},
                {"days": _WEEKDAYS, "start": "13:30", "end": "17:30"},
            ]
    document["sla_policies"] = [
        {
            "id": "urgent",
            "match": {"priorities": ["P1", "P2"]},
            "remind_after_breach": {"every": "30m", "limit": 3},
        },
        {"id": "business", "calendar": "client"},
    ]
    return EscalatorConfig.model_validate(document)


_STARTED = b'"event_type":"SlaClockStarted"'


async def _schedule(bootstrap: str, prefix: str, tickets: int) -> tuple[int, float]:
    """Produce the tickets; wait for their clocks' SlaClockStarted. (clocks, seconds)"""
    rng = random.Random(5)
    messages = [ticket_opened_message(n, rng) for n in range(tickets)]
    counter = AIOKafkaConsumer(
        f"{prefix}sla", bootstrap_servers=bootstrap, auto_offset_reset="latest"
    )
    await counter.start()
    await counter.getmany(timeout_ms=500)
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, linger_ms=5, acks="all")
    await producer.start()
    started_clocks, quiet_since = 0, time.monotonic()
    try:
        started = time.perf_counter()
        last = started
        for key, value in messages:
            await producer.send(f"{prefix}tickets", value=value, key=key.encode())
        await producer.flush()
        # Each ticket starts two clocks (response and resolution); stop once none came for 5 s.
        while started_clocks < 2 * tickets and time.monotonic() - quiet_since < 5:
            for batch in (await counter.getmany(timeout_ms=500)).values():
                # A byte search, not a parse: the counter shares the two cores with the service.
                found = sum(_STARTED in record.value for record in batch)
                if found:
                    started_clocks += found
                    last = time.perf_counter()
                    quiet_since = time.monotonic()
        return started_clocks, last - started
    finally:
        await producer.stop()
        await counter.stop()


async def _schedule_in_process(
    database_url: str,
    schema: str,
    topics: Topics,
    config: EscalatorConfig,
    tickets: int,
    batch: int,
) -> tuple[int, float]:
    """The opening handler alone in this process: plan, rows, log and outbox events committed
    to PostgreSQL per batch of tickets, without Kafka on either side. (clocks, seconds)"""
    rng = random.Random(6)
    runs = []
    for start in range(0, tickets, batch):
        run = []
        for n in range(start, min(start + batch, tickets)):
            _, value = ticket_opened_message(n, rng)
            envelope = Envelope.from_bytes(value)
            run.append((TicketOpened.model_validate(envelope.payload), envelope))
        runs.append(run)
    book = CalendarBook(config)
    keeper = ClockKeeper(book, SlaMetrics.create(CollectorRegistry()))
    planner = Planner(config, book)
    handlers = OpeningHandlers(planner, keeper, VendorClocks(planner, keeper))
    engine = build_engine(database_url, schema)
    factory = build_session_factory(engine)
    clocks_started = 0
    try:
        started = time.perf_counter()
        for run in runs:
            uow = UnitOfWork(factory, topics, "bench")
            async with uow:
                await handlers.on_opened([(event, HandlerContext(env, uow)) for event, env in run])
                clocks_started += len(uow.emitted)
        return clocks_started, time.perf_counter() - started
    finally:
        await engine.dispose()


_FAR_PLANS: list[tuple[str, timedelta]] = [
    ("24x7", timedelta(hours=8)),
    ("24x7", timedelta(hours=24)),
    ("client", timedelta(hours=24)),
    ("client", timedelta(hours=72)),
]


def _far_clocks(count: int, book: CalendarBook, now: datetime) -> Iterator[StoredClock]:
    """Clocks started now whose first firing is hours to days away."""
    rng = random.Random(11)
    alerting = Alerting((50, 75), timedelta(minutes=30), 3)
    for n in range(count):
        calendar_kind, target = _FAR_PLANS[n % len(_FAR_PLANS)]
        client = f"c{rng.randrange(CLIENTS)}"
        calendar = "24x7" if calendar_kind == "24x7" else f"client:{client}"
        started_at = now - timedelta(seconds=rng.randrange(3600))
        yield _stored(
            f"far-{n}",
            client,
            "resolution",
            calendar,
            transitions.start(target, started_at, book.get(calendar), alerting),
        )


def _band_clocks(rate: int, seconds: int, first_due: datetime, book: CalendarBook) -> list[Any]:
    """24x7 response clocks of one hour, warned already, due `rate` per second from
    `first_due`; their next firing is the breach."""
    alerting = Alerting((50, 75), timedelta(minutes=30), 3)
    calendar = book.get("24x7")
    band = []
    for n in range(rate * seconds):
        due = first_due + timedelta(seconds=n / rate)
        clock = transitions.start(timedelta(hours=1), due - timedelta(hours=1), calendar, alerting)
        band.append(
            _stored(f"band-{n}", f"c{n % CLIENTS}", "response", "24x7", replace(clock, warned=75))
        )
    return band


def _stored(ticket_id: str, client: str, metric: str, calendar: str, clock: Any) -> StoredClock:
    return StoredClock(
        id=new_id(),
        ticket_id=ticket_id,
        client_id=client,
        metric=metric,
        cycle=0,
        policy="urgent" if calendar == "24x7" else "business",
        calendar=calendar,
        priority="P2" if calendar == "24x7" else "P3",
        correlation_id=new_id(),
        drill=False,
        vendor=None,
        case_reference=None,
        clock=clock,
    )


_COLUMNS = [column.name for column in clocks.columns]


async def _copy(conn: asyncpg.Connection, schema: str, stored: Any, book: CalendarBook) -> int:
    records = []
    for clock in stored:
        row = new_row(clock, book.get(clock.calendar))
        records.append(tuple(row[name] for name in _COLUMNS))
    await conn.copy_records_to_table(
        "clocks", schema_name=schema, columns=_COLUMNS, records=records
    )
    return len(records)


async def _pending(conn: asyncpg.Connection, schema: str) -> int:
    query = f'SELECT count(*) FROM "{schema}".clocks WHERE fire_at IS NOT NULL'  # noqa: S608
    count: int = await conn.fetchval(query)
    return count


async def _load(
    dsn: str, schema: str, book: CalendarBook, pending: int, rate: int, seconds: int
) -> tuple[datetime, set[str], float]:
    """Fill up to a million pending timers; the band last. (first due, band clock ids, seconds)"""
    conn = await asyncpg.connect(dsn)
    try:
        began = time.perf_counter()
        far = pending - await _pending(conn, schema) - rate * seconds
        chunk: list[StoredClock] = []
        for stored in _far_clocks(far, book, utc_now()):
            chunk.append(stored)
            if len(chunk) == 50_000:
                await _copy(conn, schema, chunk, book)
                chunk = []
        await _copy(conn, schema, chunk, book)
        first_due = utc_now() + timedelta(seconds=20)
        band = _band_clocks(rate, seconds, first_due, book)
        await _copy(conn, schema, band, book)
        await conn.execute(f'ANALYZE "{schema}".clocks')
        loaded = time.perf_counter() - began
        print(f"  pending timers now: {await _pending(conn, schema):,}")
        return first_due, {stored.id for stored in band}, loaded
    finally:
        await conn.close()


async def _watch_breaches(
    bootstrap: str, prefix: str, band: set[str], deadline_s: float
) -> tuple[list[float], list[float], int, int]:
    """Read SlaBreached until every band clock breached. (e2e lags, timer lags, dupes, others)"""
    consumer = AIOKafkaConsumer(
        f"{prefix}sla", bootstrap_servers=bootstrap, auto_offset_reset="latest"
    )
    await consumer.start()
    await consumer.getmany(timeout_ms=500)
    seen: set[str] = set()
    e2e: list[float] = []
    timer: list[float] = []
    duplicates = others = 0
    deadline = time.monotonic() + deadline_s
    try:
        while len(seen) < len(band) and time.monotonic() < deadline:
            for batch in (await consumer.getmany(timeout_ms=200)).values():
                received = utc_now()
                for record in batch:
                    envelope = Envelope.from_bytes(record.value)
                    if envelope.event_type != "SlaBreached":
                        continue
                    payload = envelope.payload
                    clock_id = payload["clock_id"]
                    if clock_id not in band:
                        others += 1
                        continue
                    if clock_id in seen:
                        duplicates += 1
                        continue
                    seen.add(clock_id)
                    due = datetime.fromisoformat(payload["due_at"])
                    breached = datetime.fromisoformat(payload["breached_at"])
                    e2e.append((received - due).total_seconds())
                    timer.append((breached - due).total_seconds())
        # Linger: a duplicate would arrive now.
        for batch in (await consumer.getmany(timeout_ms=2000)).values():
            for record in batch:
                envelope = Envelope.from_bytes(record.value)
                if envelope.event_type == "SlaBreached" and envelope.payload["clock_id"] in seen:
                    duplicates += 1
    finally:
        await consumer.stop()
    return e2e, timer, duplicates, others


def _percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(p / 100 * len(ordered)))]


async def _run(
    args: argparse.Namespace, infra: Any, namespace: Namespace, config: EscalatorConfig
) -> None:
    book = CalendarBook(config)
    prefix = namespace.topic_prefix
    bootstrap = infra.kafka_bootstrap_servers
    clocks_started, elapsed = await _schedule(bootstrap, prefix, args.tickets)
    print(
        f"  scheduling: {clocks_started:,} clocks of {args.tickets:,} tickets started in "
        f"{elapsed:.1f} s: {clocks_started / elapsed:,.0f} clocks/s "
        "(row, log and SlaClockStarted committed and on Kafka)"
    )
    dsn = asyncpg_dsn(infra.database_url)
    schema = namespace.schema("sla-timer")
    clocks_started, elapsed = await _schedule_in_process(
        infra.database_url, schema, Topics(prefix), config, args.tickets, args.transaction_size
    )
    print(
        f"  scheduling in-process: {clocks_started:,} clocks of {args.tickets:,} tickets in "
        f"{elapsed:.1f} s: {clocks_started / elapsed:,.0f} clocks/s (the opening handler: plan, "
        f"rows, log, outbox committed in batches of {args.transaction_size} tickets; no Kafka)"
    )
    first_due, band, loaded = await _load(dsn, schema, book, args.pending, args.rate, args.seconds)
    print(f"  loading: {loaded:.1f} s (built by the domain code, COPY, ANALYZE)")
    wait = (first_due - utc_now()).total_seconds()
    watcher = asyncio.create_task(
        _watch_breaches(bootstrap, prefix, band, wait + args.seconds + 120)
    )
    e2e, timer, duplicates, others = await watcher
    print(
        f"  firing: {len(e2e):,} of {len(band):,} band clocks breached "
        f"({args.rate:,} due per second for {args.seconds} s); duplicates {duplicates}; "
        f"other breaches {others}"
    )
    if e2e:
        for name, values in (("deadline to Kafka", e2e), ("deadline to commit", timer)):
            print(
                f"  lag {name}: p50 {_percentile(values, 50) * 1000:.0f} ms, "
                f"p99 {_percentile(values, 99) * 1000:.0f} ms, max {max(values) * 1000:.0f} ms"
            )


def main() -> None:
    """Run the benchmark and print its figures."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--tickets", type=int, default=50_000)
    parser.add_argument("--instances", type=int, default=1, help="sla-timer processes")
    parser.add_argument("--partitions", type=int, default=6)
    parser.add_argument("--transaction-size", type=int, default=100)
    parser.add_argument("--rate", type=int, default=1_000, help="band clocks due per second")
    parser.add_argument("--seconds", type=int, default=60, help="how long the band lasts")
    parser.add_argument("--pending", type=int, default=1_000_000, help="timers pending in all")
    args = parser.parse_args()
    config_model = sla_config()
    with contextlib.ExitStack() as stack:
        infra = provide_infrastructure(stack)
        namespace = Namespace(unique_suffix())
        workdir = Path(stack.enter_context(tempfile.TemporaryDirectory()))
        config = workdir / "config.yaml"
        config.write_text(yaml.safe_dump(config_model.model_dump(mode="json")))
        start_services(
            stack,
            infra,
            namespace,
            "sla-timer",
            config,
            args.instances,
            partitions=args.partitions,
            transaction_size=args.transaction_size,
        )
        time.sleep(3 if args.instances > 1 else 1)  # let the group settle its partitions
        print(
            f"SLA timer benchmark: {args.instances} sla-timer process(es), {args.partitions} "
            f"partitions, {CLIENTS} clients on business-hours calendars, all on this machine"
        )
        asyncio.run(_run(args, infra, namespace, config_model))


if __name__ == "__main__":
    main()
