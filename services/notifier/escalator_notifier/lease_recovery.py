"""Rows a dead process left `sending` after their lease ran out.

Its answer never came, so nobody knows whether the message went. Email (same Message-ID) and
the webhook (same Idempotency-Key) are sent again, since their receivers recognise a resend;
Slack, Teams and SMS are marked `unsure` and not sent again, so nobody gets a second page.
Either way the attempt is recorded as `unsure` and counted.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.dialects.postgresql import insert

from escalator_notifier.notifier_metrics import NotifierMetrics
from escalator_notifier.tables import PENDING, SENDING, UNSURE, deliveries, delivery_attempts
from escalator_shared.db.unit_of_work import UnitOfWork

# Receivers that recognise a resend: the same Message-ID, the same Idempotency-Key.
RESEND_SAFE = frozenset({"email", "webhook"})


async def recover_expired(uow: UnitOfWork, now: datetime, metrics: NotifierMetrics) -> None:
    """Rows a dead process left `sending`: resend where that is safe, else mark unsure."""
    expired = list(
        await uow.session.execute(
            select(
                deliveries.c.id,
                deliveries.c.channel,
                deliveries.c.attempts,
                deliveries.c.address,
            )
            .where(deliveries.c.status == SENDING, deliveries.c.lease_until < now)
            .with_for_update(skip_locked=True)
        )
    )
    for row in expired:
        safe = row.channel in RESEND_SAFE
        await uow.session.execute(
            update(deliveries)
            .where(deliveries.c.id == row.id)
            .values(
                status=PENDING if safe else UNSURE,
                lease_until=None,
                next_attempt_at=now,
                finished_at=None if safe else now,
                last_error="the process sending it stopped before the answer was recorded",
            )
        )
        await uow.session.execute(
            insert(delivery_attempts)
            .values(
                delivery_id=row.id,
                attempt=row.attempts,
                channel=row.channel,
                address=row.address,
                outcome=UNSURE,
                provider_response="no answer recorded: "
                + ("sent again" if safe else "not sent again, to avoid a second page"),
                latency_ms=0.0,
                at=now,
            )
            .on_conflict_do_nothing()
        )
        metrics.deliveries.labels(channel=row.channel, outcome=UNSURE).inc()
