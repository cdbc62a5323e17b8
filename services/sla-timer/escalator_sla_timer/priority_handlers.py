"""Routing may set another priority than the ticket opened with: clocks follow it.

The routed priority is stored, so a clock that starts after routing (the tickets and routing
streams arrive in either order) uses it; a clock already running is retargeted from its start.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select, update
from sqlalchemy.dialects.postgresql import insert

from escalator_shared.bus.dispatcher import HandlerContext, HandlerRegistry
from escalator_shared.config import EscalatorConfig
from escalator_shared.events import SlaClockRetargeted, TicketRouted
from escalator_sla_timer.domain.clocks import ClockState, plan_response_clock
from escalator_sla_timer.tables import clocks, routed_priorities


@dataclass(frozen=True)
class PriorityHandlers:
    """Handlers of the `routing` topic."""

    config: EscalatorConfig

    async def on_routed(self, routed: TicketRouted, ctx: HandlerContext) -> None:
        """Remember the routed priority; retarget running clocks whose target it changes."""
        values = {"priority": routed.priority.value, "rule": routed.rule}
        await ctx.uow.session.execute(
            insert(routed_priorities)
            .values(ticket_id=ctx.envelope.ticket_id, **values)
            .on_conflict_do_update(index_elements=[routed_priorities.c.ticket_id], set_=values)
        )
        running = (
            await ctx.uow.session.execute(
                select(clocks)
                .where(
                    clocks.c.ticket_id == ctx.envelope.ticket_id,
                    clocks.c.state == ClockState.RUNNING.value,
                )
                .with_for_update()
            )
        ).all()
        for clock in running:
            plan = plan_response_clock(
                self.config, clock.client_id, routed.priority, clock.started_at
            )
            target = int(plan.target.total_seconds())
            if target == clock.target_seconds:
                continue
            await ctx.uow.session.execute(
                update(clocks)
                .where(clocks.c.id == clock.id)
                .values(target_seconds=target, due_at=plan.due_at)
            )
            await ctx.emit(
                SlaClockRetargeted(
                    clock_id=clock.id,
                    metric=clock.metric,
                    priority=routed.priority,
                    previous_target_seconds=clock.target_seconds,
                    target_seconds=target,
                    due_at=plan.due_at,
                    reason=f"routed at {routed.priority} by rule {routed.rule}",
                )
            )

    def registry(self) -> HandlerRegistry:
        """Event type to handlers."""
        return {TicketRouted: [self.on_routed]}
