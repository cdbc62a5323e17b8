"""A fast stand-in for a vendor's case API, for the vendor gateway benchmark.

A raw ASGI app under uvicorn (httptools, uvloop) in its own process: `POST /cases` answers
`{"case_number": "BV-<n>"}` after `--latency-ms`; it records, per Idempotency-Key, how many
POSTs came and how long each took on the server side. `GET /stats` returns those records.

Usage: python -m tests.benchmarks.vendor_stub --port 18999 [--latency-ms 20]
"""

from __future__ import annotations

import argparse
import asyncio
import time

from tests.benchmarks.stubs import Receive, Scope, Send, answer_json, serve


class VendorStub:
    """The ASGI app: cases numbered in arrival order, timings kept per key."""

    def __init__(self, latency_seconds: float) -> None:
        self._latency = latency_seconds
        self._posts: dict[str, list[float]] = {}
        self._numbers = 0

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return
        if scope["method"] == "GET":
            await answer_json(send, 200, {"posts": self._posts})
            return
        started = time.perf_counter()
        while (await receive()).get("more_body"):
            pass
        headers = dict(scope["headers"])
        key = headers.get(b"idempotency-key", b"").decode()
        if self._latency:
            await asyncio.sleep(self._latency)
        self._numbers += 1
        number = f"BV-{self._numbers:07d}"
        await answer_json(send, 201, {"case_number": number})
        self._posts.setdefault(key, []).append(time.perf_counter() - started)


def main() -> None:
    """Serve until killed."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--latency-ms", type=float, default=0.0)
    args = parser.parse_args()
    serve(VendorStub(args.latency_ms / 1000), args.port)


if __name__ == "__main__":
    main()
