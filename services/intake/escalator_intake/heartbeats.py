"""Heartbeats: an integration that stops pinging opens a ticket; its next ping resolves it.

The ticket goes through the normal alert pipeline: the monitor emits AlertReceived (firing on
silence, resolved on the first ping after) with the dedup key `heartbeat:<integration>`.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

from sqlalchemy import select, text, update
from sqlalchemy.dialects.postgresql import insert

from escalator_intake.domain.canonical import alert_message_key
from escalator_intake.tables import heartbeats
from escalator_shared.config import EscalatorConfig
from escalator_shared.db.unit_of_work import UnitOfWork
from escalator_shared.events import AlertReceived, AlertStatus, Severity, new_id, utc_now
from escalator_shared.polling import PollingLoop

ALIVE = "alive"
SILENT = "silent"
SOURCE = "heartbeat"


def silence_alert(
    integration_id: str, every: timedelta, status: AlertStatus, now: datetime
) -> AlertReceived:
    """The alert that opens (firing) or resolves the 'stopped reporting' ticket."""
    minutes = every.total_seconds() / 60
    return AlertReceived(
        alert_id=new_id(),
        integration=integration_id,
        source=SOURCE,
        dedup_key=f"heartbeat:{integration_id}",
        status=status,
        severity=Severity.MAJOR,
        title=f"{integration_id} stopped reporting (no heartbeat for {minutes:g} min)",
        description=f"Escalator expects a heartbeat from {integration_id} every {minutes:g} min.",
        occurred_at=now,
    )


class HeartbeatMonitor:
    """Records pings and notices silences; `run` is its background loop."""

    def __init__(
        self,
        config: EscalatorConfig,
        unit_of_work: Callable[[], UnitOfWork],
        poll_seconds: float = 1.0,
    ) -> None:
        self._config = config
        self._unit_of_work = unit_of_work
        self.loop = PollingLoop(self.check, poll_seconds)

    def expects(self, integration_id: str) -> bool:
        """Whether the integration has a heartbeat configured."""
        integration = self._config.integration(integration_id)
        return integration is not None and integration.heartbeat_every is not None

    async def run(self) -> None:
        """Register the configured heartbeats, then check for silences until stopped."""
        await self.register()
        await self.loop.run()

    async def register(self) -> None:
        """One row per configured heartbeat; a new one counts from now."""
        now = utc_now()
        async with self._unit_of_work() as uow:
            for integration in self._config.integrations:
                if integration.heartbeat_every is None:
                    continue
                every = int(integration.heartbeat_every.total_seconds())
                await uow.session.execute(
                    insert(heartbeats)
                    .values(
                        integration=integration.id,
                        client_id=integration.client,
                        every_seconds=every,
                        last_seen_at=now,
                        state=ALIVE,
                    )
                    .on_conflict_do_update(
                        index_elements=[heartbeats.c.integration],
                        set_={"every_seconds": every, "client_id": integration.client},
                    )
                )

    async def beat(self, integration_id: str) -> datetime:
        """Record a ping; after a silence, resolve the silence ticket. Returns the next deadline."""
        now = utc_now()
        async with self._unit_of_work() as uow:
            row = (
                await uow.session.execute(
                    select(heartbeats)
                    .where(heartbeats.c.integration == integration_id)
                    .with_for_update()
                )
            ).first()
            if row is None:  # configured after this instance registered: register on demand
                raise LookupError(integration_id)
            await uow.session.execute(
                update(heartbeats)
                .where(heartbeats.c.integration == integration_id)
                .values(last_seen_at=now, state=ALIVE)
            )
            if row.state == SILENT:
                every = timedelta(seconds=row.every_seconds)
                await self._emit(
                    uow,
                    silence_alert(integration_id, every, AlertStatus.RESOLVED, now),
                    row.client_id,
                )
        return now + timedelta(seconds=row.every_seconds)

    async def check(self) -> bool:
        """Mark overdue heartbeats silent and open their tickets; True if there may be more."""
        now = utc_now()
        async with self._unit_of_work() as uow:
            overdue = (
                await uow.session.execute(
                    select(heartbeats)
                    .where(
                        heartbeats.c.state == ALIVE,
                        heartbeats.c.last_seen_at
                        + heartbeats.c.every_seconds * text("interval '1 second'")
                        < now,
                    )
                    .limit(100)
                    .with_for_update(skip_locked=True)
                )
            ).all()
            for row in overdue:
                await uow.session.execute(
                    update(heartbeats)
                    .where(heartbeats.c.integration == row.integration)
                    .values(state=SILENT)
                )
                every = timedelta(seconds=row.every_seconds)
                alert = silence_alert(row.integration, every, AlertStatus.FIRING, now)
                await self._emit(uow, alert, row.client_id)
        return len(overdue) == 100

    @staticmethod
    async def _emit(uow: UnitOfWork, alert: AlertReceived, client_id: str) -> None:
        await uow.emit(
            alert,
            ticket_id=alert.alert_id,
            client_id=client_id,
            message_key=alert_message_key(alert.integration, alert.dedup_key),
        )
