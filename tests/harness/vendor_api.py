"""A real HTTP server standing in for a vendor's ServiceNow-style table API.

`POST /api/now/table/incident` creates a case (INC0010001, INC0010002, ...) and answers 201 with
it; `GET` on the same path with `sysparm_query=correlation_id=KEY` lists the cases carrying that
key, and with `sysparm_query=number=N` the case of that number (with its `state`, which a test
moves along with `set_state`). It deduplicates nothing: a second POST with the same key makes
a second case, so a test sees any duplicate our code causes. A test scripts the vendor's bad
moments with `plan`: answers given before the normal ones (429 with Retry-After, 503, 400...)
and a delay, for the POSTs whose body contains a text of the test's own (its alert's title), so
cases of other tests are not affected.
"""

from __future__ import annotations

import contextlib
import json
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from typing import Any
from urllib.parse import parse_qs, urlsplit

from tests.harness.background_server import BackgroundServer

TABLE_PATH = "/api/now/table/incident"


@dataclass(frozen=True)
class Answer:
    """A scripted answer: status, headers (e.g. Retry-After) and JSON body."""

    status: int
    headers: dict[str, str] = field(default_factory=dict)
    body: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Received:
    """One request as the vendor got it (header names lower-cased; `at` is time.monotonic)."""

    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    body: dict[str, Any]
    at: float

    @property
    def correlation_id(self) -> str | None:
        """Our case key: in a created case's body, or in a lookup's query."""
        if self.method == "POST":
            value = self.body.get("correlation_id")
            return str(value) if value is not None else None
        field_name, _, key = self.query.get("sysparm_query", "").partition("=")
        return key if field_name == "correlation_id" else None


@dataclass
class _Plan:
    matching: str
    answers: deque[Answer]
    delay: float


class VendorApiStub(BackgroundServer):
    """`start()`, `plan()` the vendor's behaviour, read `received()` and `cases()`, `stop()`."""

    def __init__(self, authorization: str | None = None) -> None:
        self._authorization = authorization
        self._lock = threading.Lock()
        self._received: list[Received] = []
        self._cases: list[dict[str, Any]] = []
        self._plans: list[_Plan] = []
        self.serve(_handler_for(self))  # its `url` is a vendor's `api.url`

    def plan(self, matching: str, *answers: Answer, delay: float = 0.0) -> None:
        """POSTs whose body contains `matching` get `answers` first, each after `delay` s."""
        with self._lock:
            self._plans.append(_Plan(matching, deque(answers), delay))

    def received(self, method: str | None = None, key: str | None = None) -> list[Received]:
        """Requests so far, optionally of one method and for one case key."""
        with self._lock:
            found = list(self._received)
        return [
            r
            for r in found
            if (method is None or r.method == method) and (key is None or r.correlation_id == key)
        ]

    def cases(self, key: str | None = None) -> list[dict[str, Any]]:
        """Cases created so far, optionally only those carrying this case key."""
        with self._lock:
            return [dict(c) for c in self._cases if key is None or c["correlation_id"] == key]

    def set_state(self, number: str, state: str) -> None:
        """The vendor moves its case along (what a status poll then reads)."""
        with self._lock:
            [case] = [c for c in self._cases if c["number"] == number]
            case["state"] = state

    def _search(self, request: Received) -> list[dict[str, Any]]:
        """Cases by our key (`correlation_id=KEY`) or by the vendor's number (`number=N`)."""
        field_name, _, value = request.query.get("sysparm_query", "").partition("=")
        if field_name not in ("correlation_id", "number") or not value:
            return []
        return [dict(c) for c in self._cases if c.get(field_name) == value]

    def answer(self, request: Received) -> tuple[Answer, float]:
        """Record the request; what to answer, and how long to wait before answering."""
        with self._lock:
            self._received.append(request)
            expected = self._authorization
            if expected is not None and request.headers.get("authorization") != expected:
                return Answer(401, body={"error": {"message": "User Not Authenticated"}}), 0.0
            if request.path != TABLE_PATH:
                return Answer(404, body={"error": {"message": "No such table"}}), 0.0
            if request.method == "GET":
                return Answer(200, body={"result": self._search(request)}), 0.0
            raw = json.dumps(request.body)
            plan = next((p for p in self._plans if p.matching in raw), None)
            delay = plan.delay if plan else 0.0
            if plan and plan.answers:
                return plan.answers.popleft(), delay
            # Created before the (maybe delayed) answer: a lost answer leaves the case behind.
            number = f"INC{10001 + len(self._cases):07d}"
            case = {**request.body, "number": number, "sys_id": f"sys-{number.lower()}"}
            case.setdefault("state", "New")
            self._cases.append(case)
            return Answer(201, body={"result": case}), delay


def _handler_for(stub: VendorApiStub) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self._serve()

        def do_POST(self) -> None:
            self._serve()

        def _serve(self) -> None:
            split = urlsplit(self.path)
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length) if length else b""
            request = Received(
                method=self.command,
                path=split.path,
                query={k: v[-1] for k, v in parse_qs(split.query).items()},
                headers={k.lower(): v for k, v in self.headers.items()},
                body=json.loads(raw) if raw else {},
                at=time.monotonic(),
            )
            answer, delay = stub.answer(request)
            time.sleep(delay)
            payload = json.dumps(answer.body).encode()
            # The caller may be gone (killed while waiting): nobody is left to answer.
            with contextlib.suppress(ConnectionError):
                self.send_response(answer.status)
                for name, value in {**answer.headers, "Content-Type": "application/json"}.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

        def log_message(self, format: str, *args: Any) -> None:
            """Quiet: the test reads `received()` instead."""

    return Handler
