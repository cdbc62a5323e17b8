"""A real SMTP server (aiosmtpd) that keeps what it receives, for tests to read."""

from __future__ import annotations

import email
import email.policy
import threading
import time
from email.message import EmailMessage
from typing import Any

from aiosmtpd.controller import Controller


class _Collect:
    def __init__(self, sink: SmtpSink) -> None:
        self._sink = sink

    async def handle_DATA(self, _server: Any, _session: Any, envelope: Any) -> str:  # noqa: N802
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        assert isinstance(message, EmailMessage)
        self._sink.add(message)
        return "250 Message accepted for delivery"


class SmtpSink:
    """Start with `start()`; `messages` lists what arrived; `wait_for` polls for a match."""

    def __init__(self, port: int) -> None:
        self.port = port
        self._messages: list[EmailMessage] = []
        self._lock = threading.Lock()
        self._controller = Controller(_Collect(self), hostname="127.0.0.1", port=port)

    def start(self) -> None:
        """Listen on 127.0.0.1:port."""
        self._controller.start()

    def stop(self) -> None:
        """Stop listening."""
        self._controller.stop()

    def add(self, message: EmailMessage) -> None:
        """Record a received message."""
        with self._lock:
            self._messages.append(message)

    @property
    def messages(self) -> list[EmailMessage]:
        """Everything received so far."""
        with self._lock:
            return list(self._messages)

    def matching(self, *texts: str, to: str | None = None) -> list[EmailMessage]:
        """Messages (to `to`, if given) whose subject or plain-text body contains every one of
        `texts`."""
        return [
            m
            for m in self.messages
            if all(text in _words(m) for text in texts) and (to is None or m["To"] == to)
        ]

    def wait_for(self, *texts: str, within: float, to: str | None = None) -> list[EmailMessage]:
        """Poll until a message containing every one of `texts` arrived; AssertionError after
        `within` seconds."""
        deadline = time.monotonic() + within
        while time.monotonic() < deadline:
            found = self.matching(*texts, to=to)
            if found:
                return found
            time.sleep(0.1)
        raise AssertionError(f"no email to {to or 'anyone'} containing {texts!r} within {within}s")


def text_of(message: EmailMessage) -> str:
    """The plain-text body of a message, single-part or multipart."""
    body = message.get_body(("plain",))
    return str(body.get_content()) if body is not None else ""


def _words(message: EmailMessage) -> str:
    return f"{message['Subject']}\n{text_of(message)}"
