"""A new ticket gets its tier, team, on-call assignee and priority; its escalation chain starts."""

from __future__ import annotations

from dataclasses import asdict, dataclass

from sqlalchemy.dialects.postgresql import insert

from escalator_router.chain_keeper import ChainKeeper, ChainRecord
from escalator_router.domain.assignment import Assignment
from escalator_router.domain.escalation_chain import start
from escalator_router.domain.facts import TicketFacts
from escalator_router.domain.router import Router
from escalator_router.escalation_metrics import EscalationMetrics
from escalator_router.outage_detector import OutageDetector
from escalator_router.tables import escalations, routings
from escalator_shared.bus.dispatcher import HandlerContext
from escalator_shared.events import TicketOpened, TicketRouted, VendorCaseRequested, utc_now


def facts_of(opened: TicketOpened, client_id: str) -> TicketFacts:
    """What the rules see of a new ticket, as of now."""
    return TicketFacts(
        client_id=client_id,
        priority=opened.priority,
        title=opened.title,
        at=utc_now(),
        severity=opened.severity,
        source=opened.source,
        integration=opened.integration,
        description=opened.description,
        labels=dict(opened.labels),
        error_codes=tuple(opened.error_codes),
        device=opened.device,
        requester=opened.requester,
    )


@dataclass(frozen=True)
class RoutingHandlers:
    """Handles TicketOpened."""

    router: Router
    keeper: ChainKeeper
    outages: OutageDetector
    metrics: EscalationMetrics

    async def on_ticket_opened(self, opened: TicketOpened, ctx: HandlerContext) -> None:
        """Route, record, announce; request a vendor case if the rule says so; start the chain.

        A drill goes through the same chain (staff are paged, marked as a drill by its title),
        but no vendor case is requested and it never counts toward a major outage.
        """
        facts = facts_of(opened, ctx.envelope.client_id)
        assignment = self.router.route(facts)
        if not await self._record(ctx, facts, assignment):
            return  # routed before under another event id (e.g. a replayed topic)
        self.metrics.routed.labels(tier=assignment.tier, priority=assignment.priority.value).inc()
        await ctx.emit(
            TicketRouted(
                title=opened.title,
                tier=assignment.tier,
                team=assignment.team,
                assignee=assignment.assignee,
                backup=assignment.backup,
                priority=assignment.priority,
                rule=assignment.rule,
                priority_reason=assignment.priority_reason,
                schedule=assignment.schedule,
                escalation_policy=assignment.policy.id,
                vendor=assignment.vendor,
                drill=opened.drill,
            )
        )
        if assignment.vendor is not None and not opened.drill:
            await ctx.emit(
                VendorCaseRequested(
                    vendor=assignment.vendor,
                    reason=f"routing rule {assignment.rule}",
                    requested_by="router",
                )
            )
        await self._start_chain(ctx, opened, assignment, facts)
        if opened.drill:
            return  # a rehearsal never declares a major outage
        await self.outages.ticket_routed(
            ctx.uow.session,
            (ctx.envelope.ticket_id, ctx.envelope.client_id, opened.title),
            assignment,
            facts.labels,
            now=facts.at,
            emit=ctx.emit,
        )

    async def _record(
        self, ctx: HandlerContext, facts: TicketFacts, assignment: Assignment
    ) -> bool:
        stored_facts = asdict(facts) | {"at": facts.at.isoformat()}
        inserted = await ctx.uow.session.execute(
            insert(routings)
            .values(
                ticket_id=ctx.envelope.ticket_id,
                client_id=ctx.envelope.client_id,
                rule=assignment.rule,
                tier=assignment.tier,
                team=assignment.team,
                assignee=assignment.assignee,
                backup=assignment.backup,
                priority=assignment.priority.value,
                vendor=assignment.vendor,
                routed_at=facts.at,
                schedule=assignment.schedule,
                manager=assignment.manager,
                priority_reason=assignment.priority_reason,
                escalation_policy=assignment.policy.id,
                facts=stored_facts,
            )
            .on_conflict_do_nothing()
            .returning(routings.c.ticket_id)
        )
        return inserted.first() is not None

    async def _start_chain(
        self, ctx: HandlerContext, opened: TicketOpened, assignment: Assignment, facts: TicketFacts
    ) -> None:
        now = facts.at
        chain, outcome = start(assignment.policy, now)
        record = ChainRecord(
            ticket_id=ctx.envelope.ticket_id,
            client_id=ctx.envelope.client_id,
            correlation_id=ctx.envelope.correlation_id,
            title=opened.title,
            priority=assignment.priority,
            tier=assignment.tier,
            policy=assignment.policy,
            responders=assignment.responders,
            chain=chain,
            started_at=now,
        )
        await ctx.uow.session.execute(
            insert(escalations).values(
                ticket_id=record.ticket_id,
                client_id=record.client_id,
                correlation_id=record.correlation_id,
                title=record.title,
                priority=record.priority.value,
                tier=record.tier,
                policy=record.policy.model_dump(mode="json"),
                assignee=assignment.assignee,
                backup=assignment.backup,
                manager=assignment.manager,
                step=chain.step,
                round=chain.round,
                status=chain.status.value,
                next_at=chain.next_at,
                started_at=now,
                updated_at=now,
            )
        )
        await self.keeper.publish(ctx.uow.session, record, chain, outcome, now=now, emit=ctx.emit)
