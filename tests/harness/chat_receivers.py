"""A real HTTP server standing in for Slack, Teams, a Twilio-compatible SMS API and a webhook.

Every request is kept (path, lower-cased headers, body parsed as JSON or as a form). The first
path segment says which service is answering, and by default it answers as the real one does:
`/slack/...` 200 `ok` (an incoming webhook), `/teams/...` 202 with no body (a workflow webhook),
`/sms/...` 201 with the message's JSON and its `sid` (Twilio's Messages API), anything else 200
(a generic webhook). A test scripts bad moments with `script`: answers given, in order, to the
next requests whose path starts with a prefix (429 with Retry-After, 503, 404, a slow answer).
"""

from __future__ import annotations

import contextlib
import itertools
import json
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from tests.harness.background_server import BackgroundServer

SLACK_PATH = "/slack/services/T0001/B0001/XXXXXXXX"
TEAMS_PATH = "/teams/workflows/escalator/triggers/manual/paths/invoke"
SMS_BASE_PATH = "/sms"
WEBHOOK_PATH = "/hooks/escalator"


@dataclass(frozen=True)
class Answer:
    """A scripted answer; `status=None` is the service's usual answer (given after `delay`)."""

    status: int | None = None
    body: str = ""
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0


@dataclass(frozen=True)
class Received:
    """One request as the receiver got it (`at` is time.monotonic() on arrival)."""

    method: str
    path: str
    headers: dict[str, str]
    raw: bytes
    body: Any
    at: float

    @property
    def json(self) -> dict[str, Any]:
        """The body as a JSON object (AssertionError if it was not one)."""
        assert isinstance(self.body, dict), f"not a JSON object or form: {self.raw!r}"
        return self.body


@dataclass
class _Script:
    prefix: str
    answers: deque[Answer]


class ChatReceivers(BackgroundServer):
    """`start()`, point the channels at `slack_url` etc., read `received(prefix)`, `stop()`."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._received: list[Received] = []
        self._scripts: list[_Script] = []
        self._sids = itertools.count(1)
        self.serve(_handler_for(self))

    @property
    def slack_url(self) -> str:
        """A Slack incoming-webhook URL."""
        return self.url + SLACK_PATH

    @property
    def teams_url(self) -> str:
        """A Teams workflow-webhook URL."""
        return self.url + TEAMS_PATH

    @property
    def sms_base_url(self) -> str:
        """The SMS provider's base URL (Twilio's paths go under it)."""
        return self.url + SMS_BASE_PATH

    @property
    def webhook_url(self) -> str:
        """A generic webhook URL."""
        return self.url + WEBHOOK_PATH

    def script(self, prefix: str, *answers: Answer) -> None:
        """The next requests whose path starts with `prefix` get `answers`, in order."""
        with self._lock:
            self._scripts.append(_Script(prefix, deque(answers)))

    def received(self, prefix: str = "/") -> list[Received]:
        """Requests so far whose path starts with `prefix`, in arrival order."""
        with self._lock:
            return [r for r in self._received if r.path.startswith(prefix)]

    def wait_for(self, prefix: str, count: int, within: float) -> list[Received]:
        """Poll until `count` requests under `prefix` arrived; AssertionError after `within` s."""
        deadline = time.monotonic() + within
        while time.monotonic() < deadline:
            found = self.received(prefix)
            if len(found) >= count:
                return found
            time.sleep(0.01)
        raise AssertionError(f"{count} requests to {prefix} not received within {within}s")

    def answer(self, request: Received) -> tuple[int, dict[str, str], bytes, float]:
        """Record the request; the status, headers and body to answer with, and the delay."""
        with self._lock:
            self._received.append(request)
            script = next(
                (s for s in self._scripts if s.answers and request.path.startswith(s.prefix)),
                None,
            )
            scripted = script.answers.popleft() if script else Answer()
            sid = f"SM{next(self._sids):032x}"
        if scripted.status is not None:
            headers = {"Content-Type": "text/plain", **scripted.headers}
            return scripted.status, headers, scripted.body.encode(), scripted.delay
        service = request.path.strip("/").split("/")[0]
        if service == "slack":
            return 200, {"Content-Type": "text/html"}, b"ok", scripted.delay
        if service == "teams":
            return 202, {}, b"", scripted.delay
        if service == "sms":
            form = request.body if isinstance(request.body, dict) else {}
            message = {
                "sid": sid,
                "status": "queued",
                "to": form.get("To"),
                "from": form.get("From"),
                "body": form.get("Body"),
            }
            body = json.dumps(message).encode()
            return 201, {"Content-Type": "application/json"}, body, scripted.delay
        return 200, {"Content-Type": "application/json"}, b'{"ok":true}', scripted.delay


def _parse(content_type: str, raw: bytes) -> Any:
    if content_type.startswith("application/x-www-form-urlencoded"):
        return dict(parse_qsl(raw.decode(), keep_blank_values=True))
    try:
        return json.loads(raw) if raw else None
    except ValueError:
        return raw.decode(errors="replace")


def _handler_for(receivers: ChatReceivers) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"  # keep-alive, as the real services

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length) if length else b""
            request = Received(
                method=self.command,
                path=urlsplit(self.path).path,
                headers={k.lower(): v for k, v in self.headers.items()},
                raw=raw,
                body=_parse(self.headers.get("Content-Type", ""), raw),
                at=time.monotonic(),
            )
            status, headers, body, delay = receivers.answer(request)
            time.sleep(delay)
            # The caller may be gone (it stopped while waiting): nobody is left to answer.
            with contextlib.suppress(ConnectionError):
                self.send_response(status)
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        def log_message(self, format: str, *args: Any) -> None:
            """Quiet: the test reads `received()` instead."""

    return Handler
