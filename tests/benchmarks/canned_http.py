"""A bare HTTP/1.1 server that answers every GET with the same small 202, for the load
generator's own ceiling: what wrk reaches on this machine when the server costs next to nothing.

Usage: python -m tests.benchmarks.canned_http PORT
"""

from __future__ import annotations

import asyncio
import sys
from typing import cast

import uvloop

_ANSWER = (
    b"HTTP/1.1 202 Accepted\r\ncontent-type: application/json\r\ncontent-length: 22\r\n\r\n"
    b'{"status":"accepted"}\n'
)


class _CannedAnswers(asyncio.Protocol):
    """One canned answer per request head (requests without bodies, keep-alive)."""

    def __init__(self) -> None:
        self._transport: asyncio.Transport | None = None
        self._pending = b""

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self._transport = cast(asyncio.Transport, transport)  # uvloop's is not a subclass

    def data_received(self, data: bytes) -> None:
        self._pending += data
        heads = self._pending.count(b"\r\n\r\n")
        if heads and self._transport is not None:
            self._pending = self._pending.rsplit(b"\r\n\r\n", 1)[1]
            self._transport.write(_ANSWER * heads)


async def _serve(port: int) -> None:
    server = await asyncio.get_running_loop().create_server(_CannedAnswers, "127.0.0.1", port)
    async with server:
        await server.serve_forever()


if __name__ == "__main__":
    uvloop.run(_serve(int(sys.argv[1])))
