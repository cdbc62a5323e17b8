"""Notifier handlers: queue emails to the people an escalation step pages, and on breaches."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert

from escalator_notifier.domain.messages import Message, breach_message, paged_message, step_message
from escalator_notifier.tables import assignments, deliveries
from escalator_shared.bus.dispatcher import HandlerContext, HandlerRegistry
from escalator_shared.config import EscalatorConfig
from escalator_shared.errors import NotReadyError, PermanentError
from escalator_shared.events import (
    EscalationStepReached,
    NotificationRequested,
    RespondersPaged,
    SlaBreached,
    TicketRouted,
    new_id,
    utc_now,
)
from escalator_shared.events.catalogue import ASSIGNEE_RECIPIENT

EMAIL = "email"
PENDING = "pending"


@dataclass(frozen=True)
class NotificationHandlers:
    """Handlers of the `routing` and `sla` topics."""

    config: EscalatorConfig

    async def on_routed(self, routed: TicketRouted, ctx: HandlerContext) -> None:
        """Remember the assignment (its first page comes as escalation step 0)."""
        values = {
            "client_id": ctx.envelope.client_id,
            "title": routed.title,
            "priority": routed.priority.value,
            "tier": routed.tier,
            "assignee": routed.assignee,
        }
        await ctx.uow.session.execute(
            insert(assignments)
            .values(ticket_id=ctx.envelope.ticket_id, **values)
            .on_conflict_do_update(index_elements=[assignments.c.ticket_id], set_=values)
        )

    async def on_step_reached(self, reached: EscalationStepReached, ctx: HandlerContext) -> None:
        """Queue the page to everyone the step names."""
        message = step_message(ctx.envelope.ticket_id, ctx.envelope.client_id, reached)
        for person in reached.people:
            await self._queue_email(ctx, person, message)

    async def on_paged(self, paged: RespondersPaged, ctx: HandlerContext) -> None:
        """Queue the page to people called in outside the chain's steps."""
        message = paged_message(ctx.envelope.ticket_id, ctx.envelope.client_id, paged)
        for person in paged.people:
            await self._queue_email(ctx, person, message)

    async def on_breached(self, breached: SlaBreached, ctx: HandlerContext) -> None:
        """Queue the breach email to whoever has the ticket."""
        assignment = await self._assignment(ctx)
        if assignment.assignee is None:
            return
        message = breach_message(
            ctx.envelope.ticket_id,
            ctx.envelope.client_id,
            assignment.title,
            assignment.priority,
            breached,
        )
        await self._queue_email(ctx, assignment.assignee, message)

    async def on_requested(self, requested: NotificationRequested, ctx: HandlerContext) -> None:
        """Queue a message another service worded (e.g. the client's vendor update).

        The recipient is an address, a person id looked up in the directory, or `assignee`:
        whoever has the ticket (none yet: nobody is told)."""
        if requested.channel != EMAIL:
            raise PermanentError(f"the notifier sends no {requested.channel!r} messages yet")
        message = Message(requested.subject, requested.body)
        if requested.recipient == ASSIGNEE_RECIPIENT:
            assignee = await self._assignee(ctx)
            if assignee is not None:
                await self._queue_email(ctx, assignee, message)
        elif "@" in requested.recipient:
            await self._queue(ctx, requested.recipient, requested.recipient, message)
        else:
            await self._queue_email(ctx, requested.recipient, message)

    async def _assignment(self, ctx: HandlerContext) -> Any:
        assignment = (
            await ctx.uow.session.execute(
                select(assignments).where(assignments.c.ticket_id == ctx.envelope.ticket_id)
            )
        ).first()
        if assignment is None:
            raise NotReadyError("the ticket's routing has not reached the notifier yet")
        return assignment

    async def _assignee(self, ctx: HandlerContext) -> str | None:
        assignee: str | None = (await self._assignment(ctx)).assignee
        return assignee

    async def _queue_email(self, ctx: HandlerContext, person_id: str, message: Message) -> None:
        person = self.config.person(person_id)
        await self._queue(ctx, person.id, person.email, message)

    async def _queue(
        self, ctx: HandlerContext, recipient: str, address: str, message: Message
    ) -> None:
        now = utc_now()
        await ctx.uow.session.execute(
            insert(deliveries)
            .values(
                id=new_id(),
                trigger_event_id=ctx.envelope.event_id,
                trigger_occurred_at=ctx.envelope.occurred_at,
                correlation_id=ctx.envelope.correlation_id,
                ticket_id=ctx.envelope.ticket_id,
                client_id=ctx.envelope.client_id,
                recipient=recipient,
                channel=EMAIL,
                address=address,
                subject=message.subject,
                body=message.body,
                status=PENDING,
                attempts=0,
                next_attempt_at=now,
                created_at=now,
            )
            .on_conflict_do_nothing()
        )

    def registry(self) -> HandlerRegistry:
        """Event type to handlers."""
        return {
            TicketRouted: [self.on_routed],
            EscalationStepReached: [self.on_step_reached],
            RespondersPaged: [self.on_paged],
            SlaBreached: [self.on_breached],
            NotificationRequested: [self.on_requested],
        }
