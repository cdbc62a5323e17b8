"""What a permanent failure (or retries spent) leads to.

NotificationFailed goes on the bus; the message falls back to the person's next contact method
(a bundle or digest takes its members along); when no channel is left and the person was
reached on none for a first page, the notifier asks the router to escalate (`unreachable`).
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.dialects.postgresql import insert

from escalator_notifier.domain.delivery_plan import PAGE_KINDS, fallback_channel
from escalator_notifier.notifier_metrics import NotifierMetrics
from escalator_notifier.tables import (
    CANCELLED,
    COLLECTIONS,
    FAILED,
    PENDING,
    assignments,
    deliveries,
)
from escalator_shared.config import EscalatorConfig
from escalator_shared.db.unit_of_work import UnitOfWork
from escalator_shared.events import (
    EscalationReason,
    EscalationRequested,
    NotificationFailed,
    new_id,
)

log = logging.getLogger(__name__)


class FailureHandling:
    """Settles deliveries that failed for good."""

    def __init__(self, config: EscalatorConfig, metrics: NotifierMetrics) -> None:
        self._config = config
        self._metrics = metrics

    async def failed(
        self, uow: UnitOfWork, row: Any, response: str, guard: Any, now: datetime
    ) -> None:
        """Record the failure, tell the bus, fall back or ask to escalate."""
        log.warning("delivery %s on %s failed for good: %s", row.id, row.channel, response)
        await uow.session.execute(
            update(deliveries)
            .where(guard)
            .values(status=FAILED, finished_at=now, lease_until=None, last_error=response)
        )
        self._metrics.deliveries.labels(channel=row.channel, outcome=FAILED).inc()
        await uow.emit(
            NotificationFailed(
                notification_id=row.id,
                trigger_event_id=row.trigger_event_id,
                recipient=row.recipient,
                channel=row.channel,
                error=response,
                permanent=True,
            ),
            ticket_id=row.ticket_id,
            client_id=row.client_id,
            correlation_id=row.correlation_id,
        )
        if await self._fall_back(uow, row, now) or row.kind not in PAGE_KINDS or row.repeat:
            # (A repeat that reaches nobody asks nothing more: its first page did.)
            return
        if await self._reached_otherwise(uow, row):
            return
        await uow.emit(
            EscalationRequested(
                reason=EscalationReason.UNREACHABLE,
                requested_by="notifier",
                note=f"could not reach {row.recipient} on any channel: {response}",
            ),
            ticket_id=row.ticket_id,
            client_id=row.client_id,
            correlation_id=row.correlation_id,
        )

    async def _fall_back(self, uow: UnitOfWork, row: Any, now: datetime) -> bool:
        """Queue the message on the person's next contact method; False when none is left."""
        try:
            person = self._config.person(row.recipient)
        except KeyError:  # an address (a customer), or someone no longer configured
            return False
        tried = set(
            (
                await uow.session.execute(
                    select(deliveries.c.channel).where(
                        deliveries.c.trigger_event_id == row.trigger_event_id,
                        deliveries.c.recipient == row.recipient,
                    )
                )
            ).scalars()
        )
        team = await self._team_of(uow, row.ticket_id)
        destinations = self._config.destinations(person, team, row.client_id)
        channel = fallback_channel(person, destinations, tried | {row.channel})
        if channel is None:
            return False
        copy = {column.name: getattr(row, column.name) for column in deliveries.columns}
        copy.update(
            id=new_id(),
            channel=channel,
            address=dict(destinations).get(channel),
            status=PENDING,
            attempts=0,
            next_attempt_at=now,
            created_at=now,
            finished_at=None,
            last_error=None,
            lease_until=None,
            provider_response=None,
            fallback_of=row.id,
        )
        if channel == "slack":
            copy["details"] = {**(row.details or {}), "mention": person.slack_id}
        await uow.session.execute(insert(deliveries).values(copy).on_conflict_do_nothing())
        if row.kind in COLLECTIONS:
            await uow.session.execute(
                update(deliveries)
                .where(deliveries.c.collection == row.id)
                .values(collection=copy["id"])
            )
        return True

    async def _reached_otherwise(self, uow: UnitOfWork, row: Any) -> bool:
        """Whether another channel of the same page reached, or may still reach, the person."""
        others = await uow.session.execute(
            select(func.count())
            .select_from(deliveries)
            .where(
                deliveries.c.trigger_event_id == row.trigger_event_id,
                deliveries.c.recipient == row.recipient,
                deliveries.c.id != row.id,
                deliveries.c.status.notin_([FAILED, CANCELLED]),
            )
        )
        return bool(others.scalar_one())

    async def _team_of(self, uow: UnitOfWork, ticket_id: str) -> str | None:
        team: str | None = (
            await uow.session.execute(
                select(assignments.c.team).where(assignments.c.ticket_id == ticket_id)
            )
        ).scalar_one_or_none()
        return team
