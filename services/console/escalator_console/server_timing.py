"""`Server-Timing` on every answer: how long the console took to build it (`app`), and within
that each backend call and the rendering, so the browser's developer tools (and the queue
benchmark) show where a slow page spent its time."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from starlette.types import ASGIApp, Message, Receive, Scope, Send

# The parts timed so far in the request being served: (name, description, milliseconds).
_PARTS: ContextVar[list[tuple[str, str, float]] | None] = ContextVar("server_timing", default=None)


@contextmanager
def timed(name: str, description: str) -> Iterator[None]:
    """Time one part of the current request (a no-op outside a request)."""
    started = time.perf_counter()
    try:
        yield
    finally:
        parts = _PARTS.get()
        if parts is not None:
            parts.append((name, description, (time.perf_counter() - started) * 1000))


def header_value(total_ms: float, parts: list[tuple[str, str, float]]) -> str:
    """`app;dur=12.3, intake;desc="GET /v1/tickets";dur=4.5, …` (descriptions kept to
    characters a quoted string may hold)."""
    entries = [f"app;dur={total_ms:.1f}"]
    for name, description, took in parts:
        text = "".join(c for c in description if c.isprintable() and c not in '"\\')[:80]
        entries.append(f'{name};desc="{text}";dur={took:.1f}')
    return ", ".join(entries)


class ServerTiming:
    """Adds the time from request to response headers, in milliseconds, with its parts."""

    def __init__(self, app: ASGIApp) -> None:
        self._app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Pass the request on; stamp the response's headers as they go out."""
        if scope["type"] != "http":
            await self._app(scope, receive, send)
            return
        started = time.perf_counter()
        parts: list[tuple[str, str, float]] = []
        token = _PARTS.set(parts)

        async def stamped(message: Message) -> None:
            if message["type"] == "http.response.start":
                took = (time.perf_counter() - started) * 1000
                headers = list(message.get("headers", []))
                headers.append((b"server-timing", header_value(took, parts).encode()))
                message = {**message, "headers": headers}
            await send(message)

        try:
            await self._app(scope, receive, stamped)
        finally:
            _PARTS.reset(token)
