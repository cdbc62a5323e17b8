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
from typing import Any

from tests.benchmarks.stubs import Receive, Scope, Send, answer_json, serve


class ReceiverStub:
    """The ASGI app."""

    def __init__(self) -> None:
        self._arrivals: dict[str, list[Any]] = {}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return
        if scope["method"] == "GET":
            await answer_json(send, 200, {"arrivals": self._arrivals})
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
        await answer_json(send, 200, {"ok": True})


def main() -> None:
    """Serve until killed."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, required=True)
    args = parser.parse_args()
    serve(ReceiverStub(), args.port)


if __name__ == "__main__":
    main()
