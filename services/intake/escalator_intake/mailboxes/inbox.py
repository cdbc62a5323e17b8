"""Accepting inbound mail: the raw message is durable in PostgreSQL before the sender hears OK.

One transaction stores the bytes and writes EmailReceived to the outbox; reading the message
(`escalator_intake.email_handlers`) happens after, from the event, so a crash between the two
loses nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from escalator_intake import email_store
from escalator_intake.email.decisions import REPLAYABLE
from escalator_intake.mailboxes.email_metrics import EmailMetrics
from escalator_shared.db.unit_of_work import UnitOfWork
from escalator_shared.events import EmailReceived, new_id, utc_now
from escalator_shared.storage_text import storage_safe

# Inbound mail belongs to no ticket or client until it is read.
UNASSIGNED = ""


class EmailInbox:
    """Stores raw inbound messages and announces them."""

    def __init__(self, unit_of_work: Callable[[], UnitOfWork], metrics: EmailMetrics) -> None:
        self._unit_of_work = unit_of_work
        self.metrics = metrics

    async def accept(
        self,
        raw: bytes,
        *,
        channel: str,
        envelope_from: str | None,
        recipients: Sequence[str],
        source_ref: str | None = None,
    ) -> str | None:
        """Store and announce the message; its id, or None if `source_ref` was stored before."""
        email_id = new_id()
        async with self._unit_of_work() as uow:
            stored = await email_store.store(
                uow.session,
                {
                    "id": email_id,
                    "channel": channel,
                    "source_ref": source_ref,
                    "received_at": utc_now(),
                    "envelope_from": storage_safe(envelope_from),
                    "recipients": storage_safe(list(recipients)),
                    "size": len(raw),
                    "raw": raw,
                },
            )
            if not stored:
                return None
            await announce(uow, email_id, channel, len(raw))
        self.metrics.received.labels(channel=channel).inc()
        return email_id

    async def replay(self, email_id: str) -> bool:
        """Read an unmatched or unparseable message again (after a configuration fix).

        False when there is no such message, or when it had another outcome.
        """
        async with self._unit_of_work() as uow:
            row = await email_store.reopen_for_replay(uow.session, email_id, REPLAYABLE)
            if row is None:
                return False
            await announce(uow, row.id, row.channel, row.size)
        return True


async def announce(uow: UnitOfWork, email_id: str, channel: str, size: int) -> None:
    """Write EmailReceived to the outbox, keyed by the message."""
    await uow.emit(
        EmailReceived(email_id=email_id, channel=channel, size=size),
        ticket_id=email_id,
        client_id=UNASSIGNED,
    )
