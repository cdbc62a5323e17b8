"""A fast webhook receiver for the notifier benchmark: records when each message arrived.

A raw ASGI app under uvicorn (httptools, uvloop) in its own process. `POST` on any path answers
200 and records, per Idempotency-Key (the delivery id), the arrival times (wall clock) and the
ticket id from the JSON body. `GET /stats` returns `{"arrivals": {key: [ticket_id, [t, ...]]}}`.

Usage: python -m tests.benchmarks.receiver_stub --port 18999
"""

from __future__ import annotations

import argparse
import json
import time
from collections.abc import Awaitable, Callable
from typing import Any

import uvicorn

Scope = dict[str, Any]
Receive = Callable[[], Awaitable[dict[str, Any]]]
Send = Callable[[dict[str, Any]], Awaitable[None]]


class ReceiverStub:
    """The ASGI app."""

    def __init__(self) -> None:
        self._arrivals: dict[str, list[Any]] = {}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return
        if scope["method"] == "GET":
            await _answer(send, {"arrivals": self._arrivals})
            return
        body = b""
        while True:
            message = await receive()
            body += message.get("body", b"")
            if not message.get("more_body"):
                break
        arrived = time.time()
        key = dict(scope["headers"]).get(b"idempotency-key", b"").decode()
        ticket_id = json.loads(body).get("ticket_id", "")
        self._arrivals.setdefault(key, [ticket_id, []])[1].append(arrived)
        await _answer(send, {"ok": True})


async def _answer(send: Send, body: dict[str, Any]) -> None:
    data = json.dumps(body).encode()
    await send(
        {
            "type": "http.response.start",
            "status": 200,
            "headers": [(b"content-type", b"application/json")],
        }
    )
    await send({"type": "http.response.body", "body": data})


def main() -> None:
    """Serve until killed."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, required=True)
    args = parser.parse_args()
    uvicorn.run(
        ReceiverStub(),
        host="127.0.0.1",
        port=args.port,
        log_level="warning",
        access_log=False,
        http="httptools",
        loop="uvloop",
    )


if __name__ == "__main__":
    main()
