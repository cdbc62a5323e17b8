"""The console's queue of 1,000 open tickets: how long the page takes to build on the server.

Runs against the system `make up` runs (`make bench-console` starts it). Opens enough tickets
for client acme (one device each, so storms do not group them) until 1,000 are open, signs in
through the console as a manager (who sees every client), then times GET /queue and the live
refresh GET /queue/rows: the console's own Server-Timing (request in to headers out, which
includes the calls to intake and the SLA timer) and the wall time seen by the client.
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


def timed(client: httpx.Client, path: str, rounds: int) -> tuple[list[float], list[float]]:
    """Server-Timing and wall milliseconds of `rounds` GETs."""
    server, wall = [], []
    for _ in range(rounds):
        started = time.perf_counter()
        answer = client.get(f"{CONSOLE}{path}")
        wall.append((time.perf_counter() - started) * 1000)
        answer.raise_for_status()
        found = TIMING.search(answer.headers.get("server-timing", ""))
        if found is None:
            raise SystemExit(f"{path}: no Server-Timing header")
        server.append(float(found.group(1)))
    return server, wall


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
        for path in ("/queue?scope=all", "/queue/rows?scope=all"):
            server, wall = timed(client, path, args.rounds)
            print(
                f"GET {path}: server p50 {statistics.median(server):.0f} ms, "
                f"p95 {sorted(server)[int(len(server) * 0.95) - 1]:.0f} ms, "
                f"max {max(server):.0f} ms; wall p50 {statistics.median(wall):.0f} ms "
                f"({args.rounds} rounds)"
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
