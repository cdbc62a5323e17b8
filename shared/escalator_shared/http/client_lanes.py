"""Outgoing HTTP through lanes: httpx clients of one connection each, lent out for one request
at a time, per origin (scheme, host and port).

httpx's connection pool checks every connection it holds (expired? readable? a system call each)
whenever it assigns a request, and again when a response closes. With dozens of keep-alive
connections to one vendor API or chat service, that bookkeeping cost more CPU than the request
(py-spy on the vendor gateway: a fifth of the process). A lane's pool holds one connection, so
there is one to check; requests wait here for a free lane of their origin, in arrival order,
rather than inside a pool. Lanes are made as needed, up to `lanes_per_origin`, and kept with
their connection alive.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

import httpx


class HttpLanes:
    """`request`/`post` like an httpx.AsyncClient; at most `lanes_per_origin` connections to
    each origin, each connection its own client."""

    def __init__(self, lanes_per_origin: int, **client_options: Any) -> None:
        if lanes_per_origin < 1:
            raise ValueError("lanes_per_origin must be at least 1")
        self._lanes_per_origin = lanes_per_origin
        self._options: Mapping[str, Any] = {
            "follow_redirects": False,
            **client_options,
            "limits": httpx.Limits(max_connections=1, max_keepalive_connections=1),
        }
        self._idle: dict[str, asyncio.Queue[httpx.AsyncClient]] = {}
        self._made: dict[str, list[httpx.AsyncClient]] = {}
        self._closing: set[asyncio.Future[None]] = set()

    async def request(self, method: str, url: str, **kwargs: Any) -> httpx.Response:
        """Send on a free lane of the URL's origin (waiting for one if all are busy); the
        response is read in full before the lane is free again."""
        origin = _origin(url)
        client = await self._borrow(origin)
        try:
            response = await client.request(method, url, **kwargs)
        except (asyncio.CancelledError, httpx.PoolTimeout):
            # A request cancelled mid-flight can leave the lane's pool believing its one
            # connection still busy (every later request on it would wait for the pool and time
            # out, seen under load); a fresh lane replaces it.
            self._replace(origin, client)
            raise
        except BaseException:
            self._idle[origin].put_nowait(client)
            raise
        self._idle[origin].put_nowait(client)
        return response

    async def post(self, url: str, **kwargs: Any) -> httpx.Response:
        """`request("POST", url, ...)`."""
        return await self.request("POST", url, **kwargs)

    def lanes(self, url: str) -> int:
        """How many lanes (connections) the URL's origin has so far."""
        return len(self._made.get(_origin(url), []))

    async def aclose(self) -> None:
        """Close every lane's connection."""
        made = [client for clients in self._made.values() for client in clients]
        self._made.clear()
        self._idle.clear()
        await asyncio.gather(*(client.aclose() for client in made), *self._closing)

    def _replace(self, origin: str, client: httpx.AsyncClient) -> None:
        """Close the lane's client in the background; a new one takes its place (and goes to
        whoever waits for a lane)."""
        closing = asyncio.ensure_future(client.aclose())
        self._closing.add(closing)
        closing.add_done_callback(self._closing.discard)
        made = self._made.get(origin)
        if made is None or client not in made:
            return  # the lanes were closed meanwhile
        fresh = httpx.AsyncClient(**self._options)
        made[made.index(client)] = fresh
        self._idle[origin].put_nowait(fresh)

    async def _borrow(self, origin: str) -> httpx.AsyncClient:
        idle = self._idle.get(origin)
        if idle is None:
            idle = self._idle[origin] = asyncio.Queue()
            self._made[origin] = []
        if idle.empty() and len(self._made[origin]) < self._lanes_per_origin:
            client = httpx.AsyncClient(**self._options)
            self._made[origin].append(client)
            return client
        return await idle.get()


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}".lower()
