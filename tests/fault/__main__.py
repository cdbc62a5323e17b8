"""The fault suite: unique alerts stream in while each part of the system is killed in turn.

    .venv/bin/python -m tests.fault [--short] [--rate 20] [--targets intake,postgres ...]

Needs the system as `make up` runs it. A steady stream of alerts, each with its own device and
dedup key, goes to the generic webhook; the sender retries whatever got no 202 (as Alertmanager
does). Meanwhile the five services, the broker and PostgreSQL are killed in turn with `kill -9`
and come back (services by the supervisor, Kafka and PostgreSQL by `infra.sh up`). At the end
every accepted alert must be exactly one ticket, routed once, with its SLA clocks once, and no
person may get the same page twice. Prints the figures per fault; exits 1 on any loss,
duplicate, refusal or a part that did not come back. The run's tickets are resolved afterwards.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import time
import uuid
from collections.abc import Sequence

import httpx

from deploy.local.supervise import infrastructure_env
from tests.fault.alert_stream import AlertStream, SentAlert, StreamSettings
from tests.fault.crashes import TARGETS, all_ready, crash
from tests.fault.outcome_queries import Outcome, read_outcome
from tests.fault.report import FaultWindow, table

INTEGRATION = "acme-monitoring"
TOKEN = "dev-token-acme-monitoring"  # the example configuration's integration token
WEBHOOK = f"http://127.0.0.1:8001/v1/webhooks/{INTEGRATION}"


def _parser() -> argparse.ArgumentParser:
    parse = argparse.ArgumentParser(prog="python -m tests.fault", description=__doc__)
    parse.add_argument("--rate", type=float, default=20.0, help="alerts per second")
    parse.add_argument("--targets", default=",".join(TARGETS), help="what to kill, in order")
    parse.add_argument("--warmup", type=float, default=10.0, help="seconds before the first kill")
    parse.add_argument("--settle", type=float, default=20.0, help="seconds between recoveries")
    parse.add_argument("--outage", type=float, default=5.0, help="seconds Kafka/PostgreSQL is down")
    parse.add_argument("--recovery", type=float, default=120.0, help="seconds a part may take back")
    parse.add_argument("--wait", type=float, default=240.0, help="seconds for tickets to settle")
    parse.add_argument("--keep", action="store_true", help="leave the run's tickets open")
    parse.add_argument(
        "--short", action="store_true", help="CI's form: 10 alerts/s, 3 s warm-up, 8 s settle"
    )
    return parse


def _database_url() -> str:
    """The local database, from `infra.sh env`, in asyncpg's form."""
    url = infrastructure_env()["ESCALATOR_DATABASE_URL"]
    return url.replace("+asyncpg", "")


async def _stream_through_faults(
    args: argparse.Namespace, client: httpx.AsyncClient, stream: AlertStream
) -> list[FaultWindow]:
    windows = []
    runner = asyncio.create_task(stream.run())
    await asyncio.sleep(args.warmup)
    for target in args.targets.split(","):
        first = len(stream.alerts)
        print(f"kill -9 {target} at alert {first}", flush=True)  # noqa: T201 - progress
        event = await crash(target, client, args.outage, args.recovery)
        back = "never" if event.recovery_seconds is None else f"{event.recovery_seconds:.1f} s"
        print(f"  {target} back, all services ready after {back}", flush=True)  # noqa: T201
        await asyncio.sleep(args.settle)
        windows.append(FaultWindow(event, first, len(stream.alerts)))
    stream.stop()
    await runner
    await stream.drain()
    return windows


async def _settled(dsn: str, keys: set[str], within: float) -> Outcome:
    """The outcome once every accepted key is complete, or as it stands after `within` s."""
    deadline = time.monotonic() + within
    while True:
        outcome = await read_outcome(dsn, INTEGRATION, keys)
        if outcome.complete(keys) or time.monotonic() > deadline:
            return outcome
        await asyncio.sleep(2)


async def _resolve(client: httpx.AsyncClient, alerts: Sequence[SentAlert]) -> None:
    """Close the run's tickets, so the system is left as it was found."""
    gate = asyncio.Semaphore(16)
    headers = {"Authorization": f"Bearer {TOKEN}"}

    async def one(alert: SentAlert) -> None:
        body = {"title": "resolved", "status": "resolved", "dedup_key": alert.dedup_key}
        async with gate:
            await client.post(WEBHOOK, json=body, headers=headers)

    await asyncio.gather(*(one(a) for a in alerts if a.ticket_id is not None))


async def run(args: argparse.Namespace) -> int:
    """The whole suite; the exit status."""
    async with httpx.AsyncClient(timeout=10) as client:
        if not await all_ready(client):
            print("the system is not running: start it with `make up`", file=sys.stderr)  # noqa: T201
            return 2
        settings = StreamSettings(WEBHOOK, TOKEN, args.rate, uuid.uuid4().hex[:8])
        stream = AlertStream(settings, client)
        print(f"run {settings.run_id}: {args.rate:g} alerts/s to {WEBHOOK}", flush=True)  # noqa: T201
        windows = await _stream_through_faults(args, client, stream)
        keys = {a.dedup_key for a in stream.alerts if a.ticket_id is not None}
        outcome = await _settled(_database_url(), keys, args.wait)
        lines, clean = table(stream.alerts, windows, outcome)
        print("\n".join(lines))  # noqa: T201 - the suite's result
        if not args.keep:
            await _resolve(client, stream.alerts)
    print("fault suite: PASS" if clean else "fault suite: FAIL")  # noqa: T201
    return 0 if clean else 1


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point."""
    args = _parser().parse_args(argv)
    if args.short:
        args.rate, args.warmup, args.settle = 10.0, 3.0, 8.0
    return asyncio.run(run(args))


if __name__ == "__main__":
    sys.exit(main())
