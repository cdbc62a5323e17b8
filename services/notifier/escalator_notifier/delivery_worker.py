"""Sends queued deliveries, records each outcome, retries temporary failures with backoff.

A delivery row is locked (SKIP LOCKED) while it is sent, and marked sent in the same transaction
that writes NotificationDelivered to the outbox. The window where a crash after the SMTP answer
but before commit resends is that one transaction; the Message-ID is stable, so the resend is
recognisably the same message.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from sqlalchemy import Row, select, update

from escalator_notifier.tables import deliveries
from escalator_shared.db.unit_of_work import UnitOfWork
from escalator_shared.errors import PermanentError
from escalator_shared.events import NotificationDelivered, NotificationFailed, utc_now
from escalator_shared.polling import PollingLoop
from escalator_shared.smtp import EmailSender, OutgoingEmail

log = logging.getLogger(__name__)

SENT = "sent"
FAILED = "failed"
PENDING = "pending"


class DeliveryWorker:
    """Attempts pending deliveries one at a time; `loop` runs it in the background."""

    def __init__(
        self,
        unit_of_work: Callable[[], UnitOfWork],
        email: EmailSender,
        *,
        poll_seconds: float,
        max_attempts: int,
        message_id_domain: str = "escalator.local",
    ) -> None:
        self._unit_of_work = unit_of_work
        self._email = email
        self._max_attempts = max_attempts
        self._domain = message_id_domain
        self.loop = PollingLoop(self.deliver_next, poll_seconds)

    async def deliver_next(self) -> bool:
        """Attempt one due delivery; False when none is due."""
        async with self._unit_of_work() as uow:
            row = (
                await uow.session.execute(
                    select(deliveries)
                    .where(
                        deliveries.c.status == PENDING, deliveries.c.next_attempt_at <= utc_now()
                    )
                    .order_by(deliveries.c.next_attempt_at)
                    .limit(1)
                    .with_for_update(skip_locked=True)
                )
            ).first()
            if row is None:
                return False
            await self._attempt(uow, row)
        return True

    async def _attempt(self, uow: UnitOfWork, row: Row[Any]) -> None:
        email = OutgoingEmail(
            to=row.address,
            subject=row.subject,
            body=row.body,
            message_id=f"<{row.id}@{self._domain}>",
        )
        attempts = row.attempts + 1
        try:
            await self._email.send(email)
        except Exception as exc:
            permanent = isinstance(exc, PermanentError) or attempts >= self._max_attempts
            await self._record_failure(uow, row, attempts, exc, permanent=permanent)
            return
        now = utc_now()
        await uow.session.execute(
            update(deliveries)
            .where(deliveries.c.id == row.id)
            .values(status=SENT, attempts=attempts, finished_at=now, last_error=None)
        )
        latency_ms = (now - row.trigger_occurred_at).total_seconds() * 1000
        await uow.emit(
            NotificationDelivered(
                notification_id=row.id,
                trigger_event_id=row.trigger_event_id,
                recipient=row.recipient,
                address=row.address,
                channel=row.channel,
                latency_ms=round(latency_ms, 1),
            ),
            ticket_id=row.ticket_id,
            client_id=row.client_id,
            correlation_id=row.correlation_id,
        )

    async def _record_failure(
        self, uow: UnitOfWork, row: Row[Any], attempts: int, exc: Exception, *, permanent: bool
    ) -> None:
        error = f"{type(exc).__name__}: {exc}"[:1000]
        log.warning(
            "delivery %s attempt %d failed%s: %s",
            row.id,
            attempts,
            " permanently" if permanent else "",
            error,
        )
        retry_at = utc_now() + timedelta(seconds=min(2.0**attempts, 300.0))
        await uow.session.execute(
            update(deliveries)
            .where(deliveries.c.id == row.id)
            .values(
                status=FAILED if permanent else PENDING,
                attempts=attempts,
                last_error=error,
                next_attempt_at=retry_at,
                finished_at=utc_now() if permanent else None,
            )
        )
        if permanent:
            await uow.emit(
                NotificationFailed(
                    notification_id=row.id,
                    trigger_event_id=row.trigger_event_id,
                    recipient=row.recipient,
                    channel=row.channel,
                    error=error,
                    permanent=True,
                ),
                ticket_id=row.ticket_id,
                client_id=row.client_id,
                correlation_id=row.correlation_id,
            )
