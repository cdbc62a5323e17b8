"""A vendor's case API on 127.0.0.1 (a real HTTP server in a thread): it records every request
and answers as the test tells it, slowly if asked."""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit


@dataclass(frozen=True)
class Answer:
    """What the server says to one method: status, headers, raw body, and a delay before it."""

    status: int = 200
    body: bytes = b"{}"
    headers: dict[str, str] = field(default_factory=lambda: {"Content-Type": "application/json"})
    delay: float = 0.0

    @classmethod
    def json(cls, status: int, document: Any, **headers: str) -> Answer:
        """A JSON answer with extra headers."""
        return cls(
            status, json.dumps(document).encode(), {"Content-Type": "application/json", **headers}
        )


@dataclass(frozen=True)
class Received:
    """One request as it arrived; header names lower-cased."""

    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    body: Any


class _Server(ThreadingHTTPServer):
    daemon_threads = False  # server_close() joins the handler threads: nothing outlives a test
    request_queue_size = 128  # many requests at once (the default 5 drops connections)

    def __init__(self, vendor: FakeVendorApi) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.vendor = vendor


class _Handler(BaseHTTPRequestHandler):
    server: _Server

    def do_GET(self) -> None:
        self._answer()

    def do_POST(self) -> None:
        self._answer()

    def do_PUT(self) -> None:
        self._answer()

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: the test reads `received` instead."""

    def _answer(self) -> None:
        vendor = self.server.vendor
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        url = urlsplit(self.path)
        vendor.record(
            Received(
                method=self.command,
                path=url.path,
                query=parse_qs(url.query),
                headers={name.lower(): value for name, value in self.headers.items()},
                body=json.loads(raw) if raw else None,
            )
        )
        answer = vendor.answers[self.command]
        vendor.answering(+1)
        try:
            if answer.delay and vendor.released.wait(answer.delay):
                return  # the test is over; the client gave up long ago
            self.send_response(answer.status)
            for name, value in answer.headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(answer.body)))
            self.end_headers()
            self.wfile.write(answer.body)
        except OSError:
            pass  # the client went away (it timed out): what a real vendor would see too
        finally:
            vendor.answering(-1)


class FakeVendorApi:
    """Start with `start()`, stop with `stop()`; set `answers[method]`; read `received`."""

    def __init__(self) -> None:
        self.answers: dict[str, Answer] = {"GET": Answer(), "POST": Answer(), "PUT": Answer()}
        self.released = threading.Event()
        self._received: list[Received] = []
        self._lock = threading.Lock()
        self._answering = 0
        self.most_at_once = 0  # requests answered at the same time, at most
        self._server = _Server(self)
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    @property
    def url(self) -> str:
        """http://127.0.0.1:<port>"""
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    def start(self) -> None:
        """Listen."""
        self._thread.start()

    def stop(self) -> None:
        """Release slow answers, stop listening, and wait for every handler."""
        self.released.set()
        self._server.shutdown()
        self._server.server_close()
        self._thread.join()

    def answering(self, change: int) -> None:
        """A request starts (+1) or ends (-1) being answered; keeps the most at once."""
        with self._lock:
            self._answering += change
            self.most_at_once = max(self.most_at_once, self._answering)

    def record(self, request: Received) -> None:
        """Keep a request (called from handler threads)."""
        with self._lock:
            self._received.append(request)

    @property
    def received(self) -> list[Received]:
        """Every request so far, in order."""
        with self._lock:
            return list(self._received)

    def of(self, method: str) -> list[Received]:
        """The requests with this method."""
        return [r for r in self.received if r.method == method]
