"""The SMTP listener (default port 2525): a mail server or a sender hands us messages directly.

It answers 250 only after the message is stored (see `inbox`); when storing fails it answers 451,
a temporary failure, so the sending server keeps the message and tries again. It accepts any
recipient: put it behind the MTA that owns the support addresses, or point a transport rule at it.

EHLO advertises `SIZE <email.max_message_bytes>`. A message over it (declared in `MAIL FROM ...
SIZE=n`, or found so during DATA) is answered `552 5.3.4` (RFC 3463: a permanent refusal, so the
sender bounces it to its author) and logged and counted as `too_large`. Lines may be as long as the
message may be (RFC 5321 4.5.3.1.6 allows servers to accept longer lines than 1000 octets), so an
attachment without line breaks meets the size limit, not a line limit.
"""

from __future__ import annotations

import asyncio
import logging
import re
from typing import Any

from aiosmtpd.smtp import SMTP, Envelope, Session

from escalator_intake.mailboxes.inbox import EmailInbox

log = logging.getLogger(__name__)

CHANNEL = "smtp"
TOO_LARGE = "552 5.3.4 Message size exceeds fixed maximum message size"
# aiosmtpd's own replies for a message over data_size_limit (MAIL FROM SIZE=, DATA) and for a
# DATA line over line_length_limit, which here is only reached by a message over the limit.
_AIOSMTPD_TOO_LARGE = (
    "552 Error: message size exceeds fixed maximum message size",
    "552 Error: Too much mail data",
    "500 Line too long",
)
_SIZE_PARAM = re.compile(r"\bSIZE=(\d+)", re.IGNORECASE)
# Room on top of the size limit for a line's CRLF and a transparent dot (RFC 5321 4.5.2).
_LINE_SLACK = 3


class _StoreHandler:
    """aiosmtpd's handler hook: DATA stores the message."""

    def __init__(self, inbox: EmailInbox) -> None:
        self._inbox = inbox
        self.metrics = inbox.metrics

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


class _SizeLimitedSmtp(SMTP):
    """aiosmtpd's server with RFC 3463 size refusals that are logged and counted."""

    def __init__(self, handler: _StoreHandler, max_message_bytes: int) -> None:
        self.line_length_limit = max(SMTP.line_length_limit, max_message_bytes + _LINE_SLACK)
        self._metrics = handler.metrics
        self._declared: tuple[str, int | None] = ("", None)
        super().__init__(
            handler,
            data_size_limit=max_message_bytes,
            enable_SMTPUTF8=True,
            decode_data=False,
            ident="Escalator intake",
        )

    async def smtp_MAIL(self, arg: str) -> None:  # noqa: N802 - aiosmtpd's command hook name
        """Remember the sender and declared size, for the log line of a refusal."""
        declared = _SIZE_PARAM.search(arg or "")
        self._declared = (arg or "", int(declared.group(1)) if declared else None)
        await super().smtp_MAIL(arg)

    async def push(self, status: Any) -> None:
        """Send `status`; aiosmtpd's size refusals become one 552 5.3.4, logged and counted."""
        text = status.decode("utf-8", "replace") if isinstance(status, bytes) else str(status)
        if text.startswith(_AIOSMTPD_TOO_LARGE):
            self._refuse_too_large(during_data=not text.startswith(_AIOSMTPD_TOO_LARGE[0]))
            status = TOO_LARGE
        await super().push(status)

    def _refuse_too_large(self, *, during_data: bool) -> None:
        command, declared = self._declared
        if during_data:
            sender = self.envelope.mail_from if self.envelope is not None else None
            size = f"more than {self.data_size_limit} bytes"
        else:
            sender, size = command, f"declared SIZE={declared}"
        log.warning(
            "refused a message from %s: %s, over the limit of %d bytes",
            sender,
            size,
            self.data_size_limit,
        )
        self._metrics.refused.labels(channel=CHANNEL, reason="too_large").inc()


class SmtpListener:
    """Serves SMTP on `host:port` inside the service's event loop until stopped."""

    def __init__(self, inbox: EmailInbox, host: str, port: int, max_message_bytes: int) -> None:
        self._inbox = inbox
        self._host = host
        self._port = port
        self._max_message_bytes = max_message_bytes
        self._stopping = asyncio.Event()

    def _protocol(self) -> Any:
        return _SizeLimitedSmtp(_StoreHandler(self._inbox), self._max_message_bytes)

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
