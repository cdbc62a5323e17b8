"""Turning accepted alerts into tickets: open, repeat, recover."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from escalator_intake import ticket_store
from escalator_intake.domain.ticket_rules import TicketStatus
from escalator_shared.bus.dispatcher import HandlerContext
from escalator_shared.config import EscalatorConfig
from escalator_shared.config.model import DEFAULT_PRIORITY_BY_SEVERITY
from escalator_shared.events import (
    AlertReceived,
    AlertStatus,
    Event,
    Priority,
    TicketAcknowledged,
    TicketOpened,
    TicketResolved,
    TicketUpdated,
    utc_now,
)

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class AlertHandlers:
    """Handlers of the `alerts` topic."""

    config: EscalatorConfig

    async def on_alert(self, alert: AlertReceived, ctx: HandlerContext) -> None:
        """Open a ticket, or fold the alert into the open ticket with the same dedup key."""
        session = ctx.uow.session
        existing = await ticket_store.find_open_by_dedup_key(
            session, alert.integration, alert.dedup_key
        )
        if existing is None:
            if alert.status is not AlertStatus.FIRING:
                log.info(
                    "%s for %s matches no open ticket; nothing to do",
                    alert.status.value,
                    alert.dedup_key,
                )
                return
            await self._open(alert, ctx)
            return
        await ticket_store.record_alert(
            session, alert.alert_id, existing.id, alert.status.value, utc_now()
        )
        await self._fold(alert, existing.id, existing.alert_count, existing.acknowledged_by, ctx)

    async def _open(self, alert: AlertReceived, ctx: HandlerContext) -> None:
        integration = self.config.integration(alert.integration)
        # An integration removed from the configuration after accepting the alert: defaults.
        priority_map = (
            integration.priority_by_severity if integration else DEFAULT_PRIORITY_BY_SEVERITY
        )
        priority = priority_map.get(alert.severity, Priority.P3)
        now = utc_now()
        opened = TicketOpened(
            title=alert.title,
            description=alert.description,
            source=alert.source,
            integration=alert.integration,
            dedup_key=alert.dedup_key,
            severity=alert.severity,
            priority=priority,
            device=alert.device,
            error_codes=alert.error_codes,
            labels=alert.labels,
            opened_at=now,
        )
        ticket_id = alert.alert_id
        await ticket_store.insert_ticket(
            ctx.uow.session,
            {
                "id": ticket_id,
                "client_id": ctx.envelope.client_id,
                "integration": alert.integration,
                "source": alert.source,
                "dedup_key": alert.dedup_key,
                "status": TicketStatus.NEW.value,
                "priority": opened.priority.value,
                "severity": alert.severity.value,
                "title": alert.title,
                "description": alert.description,
                "device": alert.device,
                "labels": alert.labels,
                "alert_count": 1,
                "sla": {},
                "opened_at": now,
                "last_alert_at": now,
            },
        )
        await ticket_store.record_alert(ctx.uow.session, alert.alert_id, ticket_id, "firing", now)
        await _emit_for(ticket_id, opened, ctx)

    async def _fold(
        self,
        alert: AlertReceived,
        ticket_id: str,
        alert_count: int,
        acknowledged_by: str | None,
        ctx: HandlerContext,
    ) -> None:
        now = utc_now()
        if alert.status is AlertStatus.RESOLVED:
            await ticket_store.update_ticket(
                ctx.uow.session,
                ticket_id,
                {
                    "status": TicketStatus.RESOLVED.value,
                    "resolved_at": now,
                    "resolved_by": alert.integration,
                },
            )
            resolved = TicketResolved(
                by=alert.integration,
                resolved_at=now,
                resolution="the monitoring system reported recovery",
            )
            await _emit_for(ticket_id, resolved, ctx)
            return
        if alert.status is AlertStatus.ACKNOWLEDGED and acknowledged_by is None:
            await ticket_store.update_ticket(
                ctx.uow.session,
                ticket_id,
                {
                    "status": TicketStatus.IN_PROGRESS.value,
                    "acknowledged_at": now,
                    "acknowledged_by": alert.integration,
                },
            )
            acked = TicketAcknowledged(by=alert.integration, acknowledged_at=now)
            await _emit_for(ticket_id, acked, ctx)
            return
        count = alert_count + 1
        await ticket_store.update_ticket(
            ctx.uow.session, ticket_id, {"alert_count": count, "last_alert_at": now}
        )
        updated = TicketUpdated(changes={"alert_count": count}, reason="repeat alert")
        await _emit_for(ticket_id, updated, ctx)


async def _emit_for(ticket_id: str, event: Event, ctx: HandlerContext) -> None:
    """Emit for `ticket_id` (the alert's envelope is keyed by the alert, not the ticket)."""
    await ctx.uow.emit(
        event, ticket_id=ticket_id, client_id=ctx.envelope.client_id, cause=ctx.envelope
    )
