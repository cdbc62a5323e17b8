"""Calling the other services' APIs as the signed-in person.

The console forwards the viewer's session cookie (and, for changes, the CSRF token the page's
form carried), so each service applies its own access rules to the person, not to the console.
The viewer's address goes along as X-Forwarded-For, which the services trust from a local proxy.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

import httpx

from escalator_console.server_timing import timed
from escalator_shared.access.sessions import CSRF_HEADER, SESSION_COOKIE

QueryParams = Mapping[str, str | Sequence[str]] | None
# A cheap read each service answers for any signed-in person: whether it knows the session yet.
SESSION_PROBES = {
    "intake": ("/v1/me", {}),
    "router": ("/v1/schedules", {"days": "1"}),
    "sla-timer": ("/v1/clocks", {"ticket_id": "-"}),
    "vendor-gateway": ("/v1/vendor-cases", {"ticket_id": "-"}),
    "notifier": ("/v1/deliveries", {"ticket_id": "-"}),
}
SESSION_WAIT_SECONDS = 5.0


@dataclass(frozen=True)
class Viewer:
    """The person behind one browser request, as far as the backends need to know."""

    session: str | None
    address: str
    csrf: str | None = None


@dataclass(frozen=True)
class Answer:
    """One backend answer: its status and parsed JSON body (or text when not JSON)."""

    status: int
    body: Any
    text: str
    headers: httpx.Headers

    @property
    def ok(self) -> bool:
        """Whether the backend did what was asked (2xx)."""
        return 200 <= self.status < 300

    @property
    def message(self) -> str:
        """The error message the backend gave, for a person to read."""
        if isinstance(self.body, dict):
            text = self.body.get("message") or self.body.get("error")
            if isinstance(text, str):
                return text
            detail = self.body.get("detail")
            if isinstance(detail, list) and detail and isinstance(detail[0], dict):
                return str(detail[0].get("msg", detail[0]))
        return self.text[:300] or f"HTTP {self.status}"


def segment(value: str) -> str:
    """A path segment of a backend URL from what the browser sent: percent-encoded, so a
    ticket id such as `../me` stays one segment and cannot reach another endpoint."""
    if value in ("", ".", ".."):
        return "%2E" * len(value) or "%20"
    return quote(value, safe="")


class BackendUnavailableError(Exception):
    """A service did not answer (down, restarting, or timed out)."""

    def __init__(self, service: str, detail: str) -> None:
        super().__init__(f"{service} is not answering ({detail})")
        self.service = service


class Backends:
    """One HTTP client per service the console reads and acts through."""

    def __init__(self, urls: Mapping[str, str], timeout: float) -> None:
        limits = httpx.Limits(max_connections=64, max_keepalive_connections=32)
        self._clients = {
            name: httpx.AsyncClient(base_url=url, timeout=timeout, limits=limits)
            for name, url in urls.items()
        }

    async def get(
        self, service: str, path: str, viewer: Viewer, params: QueryParams = None
    ) -> Answer:
        """GET as the viewer."""
        return await self._send(service, "GET", path, viewer, params=params)

    async def post(
        self, service: str, path: str, viewer: Viewer, body: Mapping[str, Any] | None = None
    ) -> Answer:
        """POST JSON as the viewer, with their CSRF token."""
        return await self._send(service, "POST", path, viewer, json=dict(body or {}))

    async def await_session(self, viewer: Viewer) -> None:
        """Wait (a moment, at most SESSION_WAIT_SECONDS) until every service knows a session
        just started: sessions reach the services on the access topic, so the first page
        after signing in would otherwise meet a 401 from a service that has not read it yet."""
        deadline = asyncio.get_running_loop().time() + SESSION_WAIT_SECONDS
        waiting = [name for name in SESSION_PROBES if name in self._clients]
        while waiting and asyncio.get_running_loop().time() < deadline:
            answers = await asyncio.gather(
                *(self._probe(name, viewer) for name in waiting), return_exceptions=True
            )
            waiting = [n for n, a in zip(waiting, answers, strict=True) if a is not True]
            if waiting:
                await asyncio.sleep(0.05)

    async def _probe(self, service: str, viewer: Viewer) -> bool:
        path, params = SESSION_PROBES[service]
        return (await self.get(service, path, viewer, params)).status != 401

    async def healthy(self, service: str) -> bool:
        """Whether the service's /healthz answers 200."""
        try:
            return (await self._clients[service].get("/healthz", timeout=2)).status_code == 200
        except httpx.HTTPError:
            return False

    async def close(self) -> None:
        """Close every connection."""
        for client in self._clients.values():
            await client.aclose()

    async def _send(
        self,
        service: str,
        method: str,
        path: str,
        viewer: Viewer,
        *,
        params: QueryParams = None,
        json: dict[str, Any] | None = None,
    ) -> Answer:
        headers = {"X-Forwarded-For": viewer.address, "Accept": "application/json"}
        if viewer.session is not None:
            headers["Cookie"] = f"{SESSION_COOKIE}={viewer.session}"
        if viewer.csrf is not None and method != "GET":
            headers[CSRF_HEADER] = viewer.csrf
        try:
            with timed(service, f"{method} {path}"):
                response = await self._clients[service].request(
                    method, path, params=params, json=json, headers=headers
                )
        except httpx.HTTPError as exc:
            raise BackendUnavailableError(service, type(exc).__name__) from exc
        if response.status_code >= 500:
            raise BackendUnavailableError(service, f"HTTP {response.status_code}")
        try:
            body = response.json()
        except ValueError:
            body = None
        return Answer(response.status_code, body, response.text, response.headers)
