"""SLA timer handlers: start a clock when a ticket opens, stop it when it is answered."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select, update
from sqlalchemy.dialects.postgresql import insert

from escalator_shared.bus.dispatcher import HandlerContext, HandlerRegistry
from escalator_shared.config import EscalatorConfig
from escalator_shared.errors import PermanentError
from escalator_shared.events import (
    Priority,
    SlaClockStarted,
    SlaClockStopped,
    TicketAcknowledged,
    TicketOpened,
    TicketResolved,
    new_id,
    utc_now,
)
from escalator_sla_timer.domain.clocks import ClockState, elapsed_seconds, plan_response_clock
from escalator_sla_timer.tables import clocks, routed_priorities


@dataclass(frozen=True)
class ClockHandlers:
    """Handlers of the `tickets` topic."""

    config: EscalatorConfig

    async def on_opened(self, opened: TicketOpened, ctx: HandlerContext) -> None:
        """Start the response clock from the SLA policy, at the routed priority if known."""
        routed = (
            await ctx.uow.session.execute(
                select(routed_priorities.c.priority).where(
                    routed_priorities.c.ticket_id == ctx.envelope.ticket_id
                )
            )
        ).scalar_one_or_none()
        priority = Priority(routed) if routed is not None else opened.priority
        try:
            plan = plan_response_clock(
                self.config, ctx.envelope.client_id, priority, opened.opened_at
            )
        except KeyError as exc:
            raise PermanentError(f"no SLA policy for client {ctx.envelope.client_id!r}") from exc
        clock_id = new_id()
        inserted = await ctx.uow.session.execute(
            insert(clocks)
            .values(
                id=clock_id,
                ticket_id=ctx.envelope.ticket_id,
                client_id=ctx.envelope.client_id,
                metric=plan.metric,
                policy=plan.policy,
                target_seconds=int(plan.target.total_seconds()),
                state=ClockState.RUNNING.value,
                started_at=opened.opened_at,
                due_at=plan.due_at,
                correlation_id=ctx.envelope.correlation_id,
                drill=opened.drill,
            )
            .on_conflict_do_nothing()
            .returning(clocks.c.id)
        )
        if inserted.first() is None:
            return
        await ctx.emit(
            SlaClockStarted(
                clock_id=clock_id,
                metric=plan.metric,
                policy=plan.policy,
                target_seconds=int(plan.target.total_seconds()),
                due_at=plan.due_at,
            )
        )

    async def on_answered(
        self, _event: TicketAcknowledged | TicketResolved, ctx: HandlerContext
    ) -> None:
        """Fulfil the ticket's running clocks; a stopped clock can no longer breach."""
        now = utc_now()
        running = (
            await ctx.uow.session.execute(
                select(clocks.c.id, clocks.c.metric, clocks.c.started_at)
                .where(
                    clocks.c.ticket_id == ctx.envelope.ticket_id,
                    clocks.c.state == ClockState.RUNNING.value,
                )
                .with_for_update()
            )
        ).all()
        for clock in running:
            await ctx.uow.session.execute(
                update(clocks)
                .where(clocks.c.id == clock.id)
                .values(state=ClockState.FULFILLED.value, stopped_at=now)
            )
            await ctx.emit(
                SlaClockStopped(
                    clock_id=clock.id,
                    metric=clock.metric,
                    outcome=ClockState.FULFILLED.value,
                    elapsed_seconds=elapsed_seconds(clock.started_at, now),
                    stopped_at=now,
                )
            )

    def registry(self) -> HandlerRegistry:
        """Event type to handlers."""
        return {
            TicketOpened: [self.on_opened],
            TicketAcknowledged: [self.on_answered],
            TicketResolved: [self.on_answered],
        }
