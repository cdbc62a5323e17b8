"""The SMTP listener answers 250 only once the message is stored, 451 when it cannot be."""

from __future__ import annotations

import asyncio
import smtplib
import threading
from collections.abc import Iterator, Sequence

import pytest
from prometheus_client import CollectorRegistry

from escalator_intake.mailboxes.email_metrics import EmailMetrics
from escalator_intake.mailboxes.inbox import EmailInbox
from escalator_intake.mailboxes.smtp_listener import SmtpListener
from tests.harness.processes import free_port


class _Inbox(EmailInbox):
    """The inbox interface, keeping messages in a list or failing like a database that is down."""

    def __init__(self, fail: bool) -> None:
        self.registry = CollectorRegistry()
        metrics = EmailMetrics.create(self.registry)
        super().__init__(lambda: pytest.fail("no unit of work in a unit test"), metrics)
        self.fail = fail
        self.kept: list[tuple[bytes, str | None, list[str]]] = []

    async def accept(
        self,
        raw: bytes,
        *,
        channel: str,
        envelope_from: str | None,
        recipients: Sequence[str],
        source_ref: str | None = None,
    ) -> str | None:
        if self.fail:
            raise ConnectionError("the database is down")
        self.kept.append((raw, envelope_from, list(recipients)))
        return f"email-{len(self.kept)}"


@pytest.fixture
def running() -> Iterator[tuple[int, _Inbox]]:
    inbox = _Inbox(fail=False)
    port = free_port()
    listener = SmtpListener(inbox, "127.0.0.1", port, max_message_bytes=2048)
    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=loop.run_until_complete, args=(listener.run(),), daemon=True)
    thread.start()
    for _ in range(100):
        try:
            smtplib.SMTP("127.0.0.1", port, timeout=1).quit()
            break
        except OSError:
            threading.Event().wait(0.05)
    yield port, inbox
    loop.call_soon_threadsafe(listener.stop)
    thread.join(timeout=5)
    loop.close()


def _send(port: int, raw: bytes) -> tuple[int, bytes]:
    with smtplib.SMTP("127.0.0.1", port, timeout=5) as client:
        client.ehlo()
        client.mail("dana@acme.example")
        client.rcpt("support@msp.example")
        return client.data(raw)


def test_a_stored_message_is_answered_250_with_its_id(running: tuple[int, _Inbox]) -> None:
    port, inbox = running
    code, reply = _send(port, b"Subject: hi\r\n\r\nhello\r\n")
    assert (code, reply) == (250, b"2.0.0 OK: stored as email-1")
    assert inbox.kept[0][1:] == ("dana@acme.example", ["support@msp.example"])
    assert b"hello" in inbox.kept[0][0]


def test_a_storage_failure_is_a_temporary_451_so_the_sender_retries(
    running: tuple[int, _Inbox],
) -> None:
    port, inbox = running
    inbox.fail = True
    code, reply = _send(port, b"Subject: hi\r\n\r\nhello\r\n")
    assert code == 451
    assert b"try again later" in reply
    refused = inbox.registry.get_sample_value(
        "escalator_emails_refused_total", {"channel": "smtp", "reason": "storage_error"}
    )
    assert refused == 1


def test_a_message_over_the_size_limit_is_refused_552(running: tuple[int, _Inbox]) -> None:
    port, inbox = running
    code, _ = _send(port, b"Subject: big\r\n\r\n" + (b"x" * 70 + b"\r\n") * 60)
    assert code == 552
    assert inbox.kept == []
