"""Outgoing email: one interface, and its SMTP adapter (the notifier's and the vendor gateway's).

Message ids travel bare (`escalator_shared.message_ids`); `build_message` writes them in the
angle brackets RFC 5322 asks for, which is what mail clients thread on.
"""

from __future__ import annotations

from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formatdate
from typing import Protocol

import aiosmtplib

from escalator_shared.errors import PermanentError
from escalator_shared.message_ids import bracketed_id, references_header
from escalator_shared.settings import SmtpSettings


@dataclass(frozen=True)
class OutgoingEmail:
    """An email to send; `message_id` is stable so a resend is recognisable.

    `message_id` and `references` (the ids it answers, oldest first) may be bare or bracketed.
    """

    to: str
    subject: str
    body: str
    message_id: str
    reply_to: str | None = None
    references: tuple[str, ...] = ()
    html: str | None = None


class EmailSender(Protocol):
    """Anything that can send an email; raises on failure."""

    async def send(self, email: OutgoingEmail) -> str:
        """Send it; return the server's answer."""
        ...


class SmtpEmailSender:
    """Sends over SMTP with aiosmtplib; 5xx answers are permanent, others temporary."""

    @classmethod
    def from_settings(cls, settings: SmtpSettings) -> SmtpEmailSender:
        """The sender a service's SMTP settings describe."""
        password = settings.smtp_password
        return cls(
            settings.smtp_host,
            settings.smtp_port,
            settings.smtp_from,
            username=settings.smtp_username,
            password=password.get_secret_value() if password else None,
            starttls=settings.smtp_starttls,
            timeout=settings.smtp_timeout_seconds,
        )

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
        message = build_message(email, self._sender)
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
        except aiosmtplib.SMTPRecipientsRefused as exc:
            # Refused at RCPT (e.g. 550 no such mailbox): not a response exception in aiosmtplib.
            if all(500 <= refused.code < 600 for refused in exc.recipients):
                answers = "; ".join(f"{r.code} {r.message}" for r in exc.recipients)
                raise PermanentError(f"SMTP {answers}") from exc
            raise
        return str(answer)


def build_message(email: OutgoingEmail, sender: str) -> EmailMessage:
    """The message as it goes out: ids in brackets, threaded on the last of `references`."""
    message = EmailMessage()
    message["From"] = sender
    message["To"] = email.to
    message["Subject"] = email.subject
    message["Message-ID"] = bracketed_id(email.message_id)
    message["Date"] = formatdate(localtime=False)
    message["Auto-Submitted"] = "auto-generated"
    if email.reply_to:
        message["Reply-To"] = email.reply_to
    references = references_header(email.references)
    if references:
        message["In-Reply-To"] = references.rsplit(" ", 1)[-1]
        message["References"] = references
    message.set_content(email.body)
    if email.html is not None:
        message.add_alternative(email.html, subtype="html")
    return message
