"""The email channel: one interface, and its SMTP adapter."""

from __future__ import annotations

from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formatdate
from typing import Protocol

import aiosmtplib

from escalator_shared.errors import PermanentError


@dataclass(frozen=True)
class OutgoingEmail:
    """An email to send; `message_id` is stable so a resend is recognisable."""

    to: str
    subject: str
    body: str
    message_id: str


class EmailSender(Protocol):
    """Anything that can send an email; raises on failure."""

    async def send(self, email: OutgoingEmail) -> str:
        """Send it; return the server's answer."""
        ...


class SmtpEmailSender:
    """Sends over SMTP with aiosmtplib; 5xx answers are permanent, others temporary."""

    def __init__(
        self,
        host: str,
        port: int,
        sender: str,
        *,
        username: str | None = None,
        password: str | None = None,
        starttls: bool = False,
        timeout: float = 15.0,
    ) -> None:
        self._host = host
        self._port = port
        self._sender = sender
        self._username = username
        self._password = password
        self._starttls = starttls
        self._timeout = timeout

    async def send(self, email: OutgoingEmail) -> str:
        """Send one message; PermanentError when the server refuses it for good."""
        message = EmailMessage()
        message["From"] = self._sender
        message["To"] = email.to
        message["Subject"] = email.subject
        message["Message-ID"] = email.message_id
        message["Date"] = formatdate(localtime=False)
        message["Auto-Submitted"] = "auto-generated"
        message.set_content(email.body)
        try:
            _, answer = await aiosmtplib.send(
                message,
                hostname=self._host,
                port=self._port,
                username=self._username,
                password=self._password,
                start_tls=self._starttls,
                timeout=self._timeout,
            )
        except aiosmtplib.SMTPResponseException as exc:
            if 500 <= exc.code < 600:
                raise PermanentError(f"SMTP {exc.code}: {exc.message}") from exc
            raise
        return str(answer)
