"""Email: a text and an HTML part, a stable Message-ID, threaded when the message answers one.

The Message-ID is made from the delivery id: the same on every attempt of a delivery (so a
resend is recognisably the same message), different for every delivery. The delivery worker
announces it in NotificationDelivered, so that intake threads replies to it into the ticket.
"""

from __future__ import annotations

from escalator_notifier.channels.base import SendFailed
from escalator_notifier.domain.content import TemplateBook
from escalator_notifier.domain.payloads import Message
from escalator_shared.errors import PermanentError
from escalator_shared.smtp import EmailSender, OutgoingEmail


def delivery_message_id(delivery_id: str, domain: str) -> str:
    """The Message-ID (bare) of a delivery's email."""
    return f"{delivery_id}@{domain}"


class EmailChannel:
    """Sends through the SMTP relay; 5xx refusals are permanent."""

    def __init__(self, sender: EmailSender, book: TemplateBook, message_id_domain: str) -> None:
        self._sender = sender
        self._book = book
        self._domain = message_id_domain

    async def send(self, message: Message, address: str) -> str:
        """Send the message to the address."""
        email = OutgoingEmail(
            to=address,
            subject=message.subject,
            body=message.text,
            html=self._book.html(message.subject, message.text, message.links or {}),
            message_id=delivery_message_id(message.delivery_id, self._domain),
            references=tuple(message.thread),
        )
        try:
            return await self._sender.send(email)
        except PermanentError as exc:
            raise SendFailed(str(exc), permanent=True) from exc
        except (OSError, TimeoutError) as exc:
            raise SendFailed(f"{type(exc).__name__}: {exc}", permanent=False) from exc
