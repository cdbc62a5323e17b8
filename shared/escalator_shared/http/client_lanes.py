"""Outgoing HTTP through lanes: httpx transports of one connection each, lent out for one
request at a time, per origin (scheme, host and port).

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
import urllib.request
from typing import Any
from urllib.parse import urlsplit

import httpx

# What every request says of us; the client layer httpx would add is not used (see `request`).
_DEFAULT_HEADERS = {"user-agent": "escalator", "accept": "*/*"}
_ONE_CONNECTION = httpx.Limits(max_connections=1, max_keepalive_connections=1)


class HttpLanes:
    """`request`/`post` like an httpx.AsyncClient; at most `lanes_per_origin` connections to
    each origin, each connection its own transport.

    Requests go to the lane's `httpx.AsyncHTTPTransport` directly, without an AsyncClient
    around it: the client's layer (auth and redirect flows, cookie jar, header merging) cost a
    quarter of a request's CPU, and lanes need none of it (no redirects are followed; basic
    auth is set here). With `trust_env`, a proxy named by the standard environment variables
    (HTTPS_PROXY, HTTP_PROXY, ALL_PROXY, NO_PROXY) is used per origin, as httpx would.
    """

    def __init__(
        self, lanes_per_origin: int, *, timeout: float = 5.0, trust_env: bool = True
    ) -> None:
        if lanes_per_origin < 1:
            raise ValueError("lanes_per_origin must be at least 1")
        self._lanes_per_origin = lanes_per_origin
        self._timeout = httpx.Timeout(timeout).as_dict()
        self._trust_env = trust_env
        self._idle: dict[str, asyncio.Queue[httpx.AsyncHTTPTransport]] = {}
        self._made: dict[str, list[httpx.AsyncHTTPTransport]] = {}
        self._closing: set[asyncio.Future[None]] = set()

    async def request(
        self,
        method: str,
        url: str,
        *,
        timeout: float | None = None,  # noqa: ASYNC109 - httpx's per-request timeout, as httpx
        auth: tuple[str, str] | None = None,
        **kwargs: Any,
    ) -> httpx.Response:
        """Send on a free lane of the URL's origin (waiting for one if all are busy); the
        response is read in full before the lane is free again. `kwargs` are httpx.Request's
        (`json`, `data`, `content`, `headers`); `auth` a user and password for basic auth."""
        timeouts = self._timeout if timeout is None else httpx.Timeout(timeout).as_dict()
        request = httpx.Request(method, url, extensions={"timeout": timeouts}, **kwargs)
        for name, value in _DEFAULT_HEADERS.items():
            request.headers.setdefault(name, value)
        if auth is not None:
            request = next(httpx.BasicAuth(*auth).auth_flow(request))
        origin = _origin(url)
        lane = await self._borrow(origin)
        try:
            response = await lane.handle_async_request(request)
            try:
                await response.aread()
            finally:
                await response.aclose()
        except (asyncio.CancelledError, httpx.PoolTimeout):
            # A request cancelled mid-flight can leave the lane's pool believing its one
            # connection still busy (every later request on it would wait for the pool and time
            # out, seen under load); a fresh lane replaces it.
            self._replace(origin, lane)
            raise
        except BaseException:
            self._idle[origin].put_nowait(lane)
            raise
        self._idle[origin].put_nowait(lane)
        response.request = request
        return response

    async def post(self, url: str, **kwargs: Any) -> httpx.Response:
        """`request("POST", url, ...)`."""
        return await self.request("POST", url, **kwargs)

    def lanes(self, url: str) -> int:
        """How many lanes (connections) the URL's origin has so far."""
        return len(self._made.get(_origin(url), []))

    async def aclose(self) -> None:
        """Close every lane's connection."""
        made = [lane for lanes in self._made.values() for lane in lanes]
        self._made.clear()
        self._idle.clear()
        await asyncio.gather(*(lane.aclose() for lane in made), *self._closing)

    def _replace(self, origin: str, lane: httpx.AsyncHTTPTransport) -> None:
        """Close the lane in the background; a new one takes its place (and goes to whoever
        waits for a lane)."""
        closing = asyncio.ensure_future(lane.aclose())
        self._closing.add(closing)
        closing.add_done_callback(self._closing.discard)
        made = self._made.get(origin)
        if made is None or lane not in made:
            return  # the lanes were closed meanwhile
        fresh = self._new_lane(origin)
        made[made.index(lane)] = fresh
        self._idle[origin].put_nowait(fresh)

    async def _borrow(self, origin: str) -> httpx.AsyncHTTPTransport:
        idle = self._idle.get(origin)
        if idle is None:
            idle = self._idle[origin] = asyncio.Queue()
            self._made[origin] = []
        if idle.empty() and len(self._made[origin]) < self._lanes_per_origin:
            lane = self._new_lane(origin)
            self._made[origin].append(lane)
            return lane
        return await idle.get()

    def _new_lane(self, origin: str) -> httpx.AsyncHTTPTransport:
        proxy = _environment_proxy(origin) if self._trust_env else None
        return httpx.AsyncHTTPTransport(
            limits=_ONE_CONNECTION, trust_env=self._trust_env, proxy=proxy
        )


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}".lower()


def _environment_proxy(origin: str) -> str | None:
    """The proxy the environment names for this origin, None for a direct connection."""
    parts = urlsplit(origin)
    proxies = urllib.request.getproxies()
    proxy = proxies.get(parts.scheme) or proxies.get("all")
    if proxy is None or urllib.request.proxy_bypass(parts.netloc):
        return None
    return proxy
