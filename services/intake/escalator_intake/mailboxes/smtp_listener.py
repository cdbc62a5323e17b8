"""The SMTP listener (default port 2525): a mail server or a sender hands us messages directly.

It answers 250 only after the message is stored (see `inbox`); when storing fails it answers 451,
a temporary failure, so the sending server keeps the message and tries again. It accepts any
recipient: put it behind the MTA that owns the support addresses, or point a transport rule at it.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from aiosmtpd.smtp import SMTP, Envelope, Session

from escalator_intake.mailboxes.inbox import EmailInbox

log = logging.getLogger(__name__)

CHANNEL = "smtp"


class _StoreHandler:
    """aiosmtpd's handler hook: DATA stores the message."""

    def __init__(self, inbox: EmailInbox) -> None:
        self._inbox = inbox

    async def handle_DATA(self, _server: SMTP, _session: Session, envelope: Envelope) -> str:  # noqa: N802 - aiosmtpd's hook name
        raw = envelope.original_content or envelope.content or b""
        data = raw if isinstance(raw, bytes) else str(raw).encode("utf-8", "surrogateescape")
        try:
            email_id = await self._inbox.accept(
                data,
                channel=CHANNEL,
                envelope_from=envelope.mail_from,
                recipients=list(envelope.rcpt_tos),
            )
        except Exception:
            log.exception("could not store an inbound message from %s", envelope.mail_from)
            self._inbox.metrics.refused.labels(channel=CHANNEL, reason="storage_error").inc()
            return "451 4.3.0 The message could not be stored; please try again later"
        return f"250 2.0.0 OK: stored as {email_id}"


class SmtpListener:
    """Serves SMTP on `host:port` inside the service's event loop until stopped."""

    def __init__(self, inbox: EmailInbox, host: str, port: int, max_message_bytes: int) -> None:
        self._inbox = inbox
        self._host = host
        self._port = port
        self._max_message_bytes = max_message_bytes
        self._stopping = asyncio.Event()

    def _protocol(self) -> Any:
        return SMTP(
            _StoreHandler(self._inbox),
            data_size_limit=self._max_message_bytes,
            enable_SMTPUTF8=True,
            decode_data=False,
            ident="Escalator intake",
        )

    async def run(self) -> None:
        """Listen until `stop()`; connections in progress finish their transaction."""
        loop = asyncio.get_running_loop()
        server = await loop.create_server(self._protocol, self._host, self._port)
        log.info("SMTP listener on %s:%d", self._host, self._port)
        try:
            await self._stopping.wait()
        finally:
            server.close()
            await server.wait_closed()

    def stop(self) -> None:
        """Stop accepting connections."""
        self._stopping.set()
