"""Turning accepted alerts into tickets: open, repeat, group storms, fold flapping, recover.

Flaps (reopens and returns of a flapping ticket) are `alert_outcomes.FlapSteps`."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Row

from escalator_intake import ticket_store
from escalator_intake.alert_outcomes import FlapSteps, attach, emit_for, raise_priority
from escalator_intake.domain.storm_rules import (
    AlertAction,
    decide,
    resolves_on_recovery,
    returns_as_flap,
)
from escalator_intake.domain.ticket_rules import TicketStatus, ticket_reference
from escalator_intake.ticket_store import FIRING, RESOLVED
from escalator_shared.bus.dispatcher import HandlerContext
from escalator_shared.config import EscalatorConfig
from escalator_shared.config.sla import ticket_type_for
from escalator_shared.events import (
    AlertReceived,
    TicketAcknowledged,
    TicketOpened,
    TicketResolved,
    TicketUpdated,
    utc_now,
)

log = logging.getLogger(__name__)

_Step = Callable[[AlertReceived, Row[Any] | None, HandlerContext, datetime], Awaitable[None]]


@dataclass(frozen=True)
class AlertHandlers:
    """Handlers of the `alerts` topic."""

    config: EscalatorConfig

    async def on_alert(self, alert: AlertReceived, ctx: HandlerContext) -> None:
        """Find what the alert belongs to, decide, act."""
        session = ctx.uow.session
        now = utc_now()
        storms = self.config.storms
        held = await ticket_store.find_open_ticket(session, alert.integration, alert.dedup_key)
        firing = held if held is not None and held.key_state == FIRING else None
        recovered = held if firing is None else None
        recent = device = None
        if held is None and alert.status.value == FIRING:
            recent = await ticket_store.find_recently_resolved(
                session, alert.integration, alert.dedup_key, now - storms.flap_window
            )
            if recent is None and alert.device and storms.group_window is not None:
                device = await ticket_store.find_device_ticket(
                    session, ctx.envelope.client_id, alert.device, now - storms.group_window
                )
        action = decide(
            alert.status,
            firing_ticket=firing is not None,
            recently_resolved_ticket=recent is not None,
            device_ticket=device is not None,
            recovered_ticket=recovered is not None,
        )
        steps: dict[AlertAction, _Step] = {
            AlertAction.OPEN: self._open,
            AlertAction.REPEAT: self._repeat,
            AlertAction.GROUP: self._group,
            AlertAction.REOPEN_FLAPPING: FlapSteps(self.config).reopen,
            AlertAction.RETURN: self._return,
            AlertAction.RECOVER: self._recover,
            AlertAction.ACKNOWLEDGE: self._acknowledge,
            AlertAction.IGNORE: self._ignore,
        }
        await steps[action](alert, held or recent or device, ctx, now)

    async def _open(
        self, alert: AlertReceived, _ticket: Row[Any] | None, ctx: HandlerContext, now: datetime
    ) -> None:
        priority = self.config.opening_priority(alert.integration, alert.severity)
        ticket_id = alert.alert_id
        number = await ticket_store.insert_ticket(
            ctx.uow.session,
            {
                "id": ticket_id,
                "client_id": ctx.envelope.client_id,
                "integration": alert.integration,
                "source": alert.source,
                "dedup_key": alert.dedup_key,
                "status": TicketStatus.NEW.value,
                "priority": priority.value,
                "severity": alert.severity.value,
                "title": alert.title,
                "description": alert.description,
                "device": alert.device,
                "labels": alert.labels,
                "alert_count": 1,
                "sla": {},
                "opened_at": now,
                "last_alert_at": now,
                "requester": alert.requester,
            },
        )
        await attach(alert, ticket_id, FIRING, ctx, now)
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
            reference=ticket_reference(number),
            requester=alert.requester,
            requester_message_id=_message_id(alert),
            drill=alert.drill,
            ticket_type=ticket_type_for(alert.requester),
            reported_at=alert.occurred_at,
        )
        await emit_for(ticket_id, opened, ctx)

    async def _repeat(
        self, alert: AlertReceived, ticket: Row[Any] | None, ctx: HandlerContext, now: datetime
    ) -> None:
        assert ticket is not None
        await attach(alert, ticket.id, FIRING, ctx, now)
        await self._count(ticket, ctx, now, "repeat alert")
        await raise_priority(self.config, alert, ticket, ctx, "repeated")

    async def _group(
        self, alert: AlertReceived, ticket: Row[Any] | None, ctx: HandlerContext, now: datetime
    ) -> None:
        assert ticket is not None
        await attach(alert, ticket.id, FIRING, ctx, now)
        await self._count(ticket, ctx, now, f"grouped: another alert on {alert.device}")
        await raise_priority(self.config, alert, ticket, ctx, f"joined on {alert.device}")

    async def _return(
        self, alert: AlertReceived, ticket: Row[Any] | None, ctx: HandlerContext, now: datetime
    ) -> None:
        """Back on the open ticket where it recovered: a flap if the ticket is flapping, else a
        repeat that clears the recovery."""
        assert ticket is not None
        storms = self.config.storms
        if returns_as_flap(
            ticket.flap_count, ticket.recovered_at, now, storms.flap_window, storms.flap_threshold
        ):
            await FlapSteps(self.config).came_back(alert, ticket, ctx, now)
            return
        if ticket.recovered_at is not None:
            await ticket_store.update_ticket(ctx.uow.session, ticket.id, {"recovered_at": None})
        await self._repeat(alert, ticket, ctx, now)

    async def _recover(
        self, alert: AlertReceived, ticket: Row[Any] | None, ctx: HandlerContext, now: datetime
    ) -> None:
        assert ticket is not None
        session = ctx.uow.session
        await attach(alert, ticket.id, RESOLVED, ctx, now)
        if await ticket_store.firing_keys(session, ticket.id):
            return  # other alerts of the ticket still fire
        client = self.config.client(ticket.client_id)
        if resolves_on_recovery(
            client.on_recovery, ticket.flap_count, self.config.storms.flap_threshold
        ):
            await ticket_store.update_ticket(
                session,
                ticket.id,
                {
                    "status": TicketStatus.RESOLVED.value,
                    "resolved_at": now,
                    "resolved_by": alert.integration,
                    "hold_reason": None,
                },
            )
            resolved = TicketResolved(
                by=alert.integration,
                resolved_at=now,
                resolution="the monitoring system reported recovery",
            )
            await emit_for(ticket.id, resolved, ctx)
            return
        await ticket_store.update_ticket(session, ticket.id, {"recovered_at": now})
        why = (
            "flapping"
            if ticket.flap_count >= self.config.storms.flap_threshold
            else ("the client's policy leaves recoveries to a technician")
        )
        await emit_for(
            ticket.id,
            TicketUpdated(
                changes={"recovered_at": now.isoformat()}, reason=f"recovered; left open: {why}"
            ),
            ctx,
        )

    async def _acknowledge(
        self, alert: AlertReceived, ticket: Row[Any] | None, ctx: HandlerContext, now: datetime
    ) -> None:
        assert ticket is not None
        if ticket.acknowledged_by is not None:
            return
        await ticket_store.update_ticket(
            ctx.uow.session,
            ticket.id,
            {
                "status": TicketStatus.IN_PROGRESS.value,
                "acknowledged_at": now,
                "acknowledged_by": alert.integration,
            },
        )
        await emit_for(
            ticket.id, TicketAcknowledged(by=alert.integration, acknowledged_at=now), ctx
        )

    async def _ignore(
        self, alert: AlertReceived, _ticket: Row[Any] | None, _ctx: HandlerContext, _now: datetime
    ) -> None:
        log.info(
            "%s for %s matches no open ticket; nothing to do", alert.status.value, alert.dedup_key
        )

    async def _count(
        self, ticket: Row[Any], ctx: HandlerContext, now: datetime, reason: str
    ) -> None:
        count = ticket.alert_count + 1
        await ticket_store.update_ticket(
            ctx.uow.session, ticket.id, {"alert_count": count, "last_alert_at": now}
        )
        await emit_for(ticket.id, TicketUpdated(changes={"alert_count": count}, reason=reason), ctx)


def _message_id(alert: AlertReceived) -> str | None:
    """The requester's Message-ID, for email requests (replies thread on it)."""
    message_id = alert.details.get("message_id") if alert.requester else None
    return message_id if isinstance(message_id, str) and message_id else None
