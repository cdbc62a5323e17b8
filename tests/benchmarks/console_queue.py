"""The console's queue of 1,000 open tickets: how long the page takes to build on the server.

Runs against the system `make up` runs (`make bench-console` starts it). Opens enough tickets
for client acme (one device each, so storms do not group them) until 1,000 are open, signs in
through the console as a manager (who sees every client), then times GET /queue and the live
refresh GET /queue/rows: the console's own Server-Timing (request in to headers out, which
includes the calls to intake and the SLA timer), each part it names (every backend call, the
rendering) and the wall time seen by the client. The reports page over the same tickets
(four weeks of Acme, day by day) is timed the same way.
"""

from __future__ import annotations

import argparse
import re
import statistics
import sys
import time
import uuid

import httpx

CONSOLE = "http://127.0.0.1:8000"
INTAKE = "http://127.0.0.1:8001"
WEBHOOK = f"{INTAKE}/v1/webhooks/acme-monitoring"
TOKEN = "dev-token-acme-monitoring"
STAFF = {"Authorization": "Bearer dev-staff-token-carol"}
OPEN = ("new", "in_progress", "on_hold")
TIMING = re.compile(r"app;dur=([0-9.]+)")
# Four weeks of Acme day by day: the SLA timer reads every record of the period once and
# computes the KPIs of the whole range and of each day.
REPORT = "/reports?client=acme&by=day"


def open_tickets(client: httpx.Client) -> int:
    """How many tickets are open (counted through intake's API, 500 a page)."""
    count, cursor = 0, None
    while True:
        params: dict[str, str | list[str]] = {"status": list(OPEN), "limit": "500"}
        if cursor:
            params["cursor"] = cursor
        page = client.get(f"{INTAKE}/v1/tickets", params=params, headers=STAFF).json()
        count += len(page["tickets"])
        cursor = page["next_cursor"]
        if cursor is None:
            return count


def fill(client: httpx.Client, wanted: int) -> None:
    """Post alerts until `wanted` tickets are open."""
    have = open_tickets(client)
    run = uuid.uuid4().hex[:6]
    while have < wanted:
        for i in range(wanted - have):
            body = {
                "title": f"Queue benchmark {run}-{i}: service degraded",
                "severity": "info",
                "device": f"bench-{run}-{i}",
            }
            answer = client.post(WEBHOOK, json=body, headers={"Authorization": f"Bearer {TOKEN}"})
            answer.raise_for_status()
        time.sleep(3)
        have = open_tickets(client)
    print(f"open tickets: {have}")


PART = re.compile(r'([a-z-]+);desc="([^"]*)";dur=([0-9.]+)')


class Timings:
    """What the GETs of one path took: the console's total, the wall time, and each part the
    console's Server-Timing names (its backend calls and rendering)."""

    def __init__(self) -> None:
        self.server: list[float] = []
        self.wall: list[float] = []
        self.parts: dict[str, list[float]] = {}

    def add(self, header: str, wall_ms: float) -> None:
        """One answer's Server-Timing header and wall time."""
        found = TIMING.search(header)
        if found is None:
            raise SystemExit("no Server-Timing header")
        self.server.append(float(found.group(1)))
        self.wall.append(wall_ms)
        longest: dict[str, float] = {}
        for name, description, took in PART.findall(header):
            key = f"{name} {description}"
            longest[key] = max(longest.get(key, 0.0), float(took))
        for key, took in longest.items():
            self.parts.setdefault(key, []).append(took)


def timed(client: httpx.Client, path: str, rounds: int) -> Timings:
    """The timings of `rounds` GETs."""
    timings = Timings()
    for _ in range(rounds):
        started = time.perf_counter()
        answer = client.get(f"{CONSOLE}{path}")
        wall = (time.perf_counter() - started) * 1000
        answer.raise_for_status()
        timings.add(answer.headers.get("server-timing", ""), wall)
    return timings


def p95(values: list[float]) -> float:
    """The 95th percentile (nearest rank)."""
    return sorted(values)[max(0, int(len(values) * 0.95) - 1)]


def main() -> int:
    """Fill, sign in, measure, print."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--tickets", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=30)
    args = parser.parse_args()
    with httpx.Client(timeout=60) as client:
        fill(client, args.tickets)
        signed = client.post(
            f"{CONSOLE}/sign-in",
            data={"email": "carol@msp.example", "password": "dev-password-carol", "next": "/"},
        )
        if signed.status_code != 303:
            raise SystemExit(f"sign-in failed: {signed.status_code}")
        # The session cookie is Secure, which a cookie jar keeps from plain http: send it.
        client.headers["Cookie"] = f"escalator_session={signed.cookies['escalator_session']}"
        first = client.get(f"{CONSOLE}/queue?scope=all")
        rows = first.text.count("data-ticket=")
        print(f"queue rows rendered: {rows} ({len(first.content) / 1024:.0f} KiB)")
        timed(client, "/queue?scope=all", 3)  # warm-up
        timed(client, REPORT, 2)  # warm-up
        for path in ("/queue?scope=all", "/queue/rows?scope=all", REPORT):
            got = timed(client, path, args.rounds)
            print(
                f"GET {path}: server p50 {statistics.median(got.server):.0f} ms, "
                f"p95 {p95(got.server):.0f} ms, max {max(got.server):.0f} ms; "
                f"wall p50 {statistics.median(got.wall):.0f} ms ({args.rounds} rounds)"
            )
            for part, took in got.parts.items():
                print(f"  {part}: p50 {statistics.median(took):.1f} ms, p95 {p95(took):.1f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
