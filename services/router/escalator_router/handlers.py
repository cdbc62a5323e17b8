"""Router handlers: a new ticket gets its tier, team and assignee, and maybe a vendor case."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.dialects.postgresql import insert

from escalator_router.domain.routing_rules import TicketFacts, decide
from escalator_router.tables import routings
from escalator_shared.bus.dispatcher import HandlerContext, HandlerRegistry
from escalator_shared.config import EscalatorConfig
from escalator_shared.events import TicketOpened, TicketRouted, VendorCaseRequested, utc_now


@dataclass(frozen=True)
class RouterHandlers:
    """Handlers of the `tickets` topic."""

    config: EscalatorConfig

    async def on_ticket_opened(self, opened: TicketOpened, ctx: HandlerContext) -> None:
        """Decide and record the route; emit TicketRouted (and VendorCaseRequested if asked)."""
        facts = TicketFacts(
            client_id=ctx.envelope.client_id,
            priority=opened.priority,
            title=opened.title,
            labels=opened.labels,
        )
        decision = decide(self.config.routing, facts)
        target = decision.target
        inserted = await ctx.uow.session.execute(
            insert(routings)
            .values(
                ticket_id=ctx.envelope.ticket_id,
                client_id=ctx.envelope.client_id,
                rule=decision.rule,
                tier=target.tier,
                team=target.team,
                assignee=target.assignee,
                backup=target.backup,
                priority=opened.priority.value,
                vendor=target.vendor,
                routed_at=utc_now(),
            )
            .on_conflict_do_nothing()
            .returning(routings.c.ticket_id)
        )
        if inserted.first() is None:
            return  # routed before under another event id (e.g. a replayed topic)
        await ctx.emit(
            TicketRouted(
                title=opened.title,
                tier=target.tier,
                team=target.team,
                assignee=target.assignee,
                backup=target.backup,
                priority=opened.priority,
                rule=decision.rule,
            )
        )
        if target.vendor is not None:
            await ctx.emit(
                VendorCaseRequested(
                    vendor=target.vendor,
                    reason=f"routing rule {decision.rule}",
                    requested_by="router",
                )
            )

    def registry(self) -> HandlerRegistry:
        """Event type to handlers."""
        return {TicketOpened: [self.on_ticket_opened]}
