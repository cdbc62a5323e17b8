"""New tickets get their tier, team, on-call assignee and priority; their escalation chains start.

Runs of TicketOpened are handled together (`Batched`): one statement records every decision
of the run, one stores every chain; the events and the steps go out with the transaction.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

from sqlalchemy.dialects.postgresql import insert

from escalator_router.chain_keeper import ChainKeeper, ChainRecord
from escalator_router.domain.assignment import Assignment
from escalator_router.domain.escalation_chain import Chain, Outcome, start
from escalator_router.domain.facts import TicketFacts
from escalator_router.domain.router import Router
from escalator_router.escalation_metrics import EscalationMetrics
from escalator_router.outage_detector import OutageDetector
from escalator_router.tables import escalations, routings
from escalator_shared.bus.dispatcher import Batched, HandlerContext
from escalator_shared.events import TicketOpened, VendorCaseRequested, utc_now

# Statements built once: executing them with parameters skips SQLAlchemy's per-call coercion.
_INSERT_ROUTINGS = insert(routings).on_conflict_do_nothing().returning(routings.c.ticket_id)
_INSERT_ESCALATIONS = insert(escalations)


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
class _New:
    """One ticket of a run: its event, context, facts and decision."""

    opened: TicketOpened
    ctx: HandlerContext
    facts: TicketFacts
    assignment: Assignment


@dataclass(frozen=True)
class RoutingHandlers:
    """Handles TicketOpened."""

    router: Router
    keeper: ChainKeeper
    outages: OutageDetector
    metrics: EscalationMetrics

    def handler(self) -> Batched:
        """The registry entry for TicketOpened."""
        return Batched(self.on_tickets_opened)

    async def on_tickets_opened(self, run: list[tuple[TicketOpened, HandlerContext]]) -> None:
        """Route, record, announce; request vendor cases rules ask for; start the chains.

        A drill goes through the same chain (staff are paged, marked as a drill by its title),
        but no vendor case is requested and it never counts toward a major outage.
        """
        tickets = []
        for opened, ctx in run:
            facts = facts_of(opened, ctx.envelope.client_id)
            tickets.append(_New(opened, ctx, facts, self.router.route(facts)))
        recorded = await self._record(tickets)
        # Tickets routed before under another event id (e.g. a replayed topic) are left alone.
        fresh = []
        for ticket in tickets:
            if ticket.ctx.envelope.ticket_id in recorded:
                recorded.discard(ticket.ctx.envelope.ticket_id)  # once, even if repeated in the run
                fresh.append(ticket)
        if not fresh:
            return
        chains = await self._store_chains(fresh)
        for ticket, (chain, outcome) in zip(fresh, chains, strict=True):
            await self._announce(ticket)
            await self._first_step(ticket, chain, outcome)
            if not ticket.opened.drill:  # a rehearsal never declares a major outage
                await self.outages.ticket_routed(
                    ticket.ctx.uow,
                    (
                        ticket.ctx.envelope.ticket_id,
                        ticket.ctx.envelope.client_id,
                        ticket.opened.title,
                    ),
                    ticket.assignment,
                    ticket.facts.labels,
                    now=ticket.facts.at,
                    emit=ticket.ctx.emit,
                )

    async def _record(self, tickets: list[_New]) -> set[str]:
        rows = [
            {
                "ticket_id": t.ctx.envelope.ticket_id,
                "client_id": t.ctx.envelope.client_id,
                "rule": t.assignment.rule,
                "tier": t.assignment.tier,
                "team": t.assignment.team,
                "assignee": t.assignment.assignee,
                "backup": t.assignment.backup,
                "priority": t.assignment.priority.value,
                "vendor": t.assignment.vendor,
                "routed_at": t.facts.at,
                "schedule": t.assignment.schedule,
                "manager": t.assignment.manager,
                "priority_reason": t.assignment.priority_reason,
                "escalation_policy": t.assignment.policy.id,
                "facts": asdict(t.facts) | {"at": t.facts.at.isoformat()},
            }
            for t in tickets
        ]
        session = tickets[0].ctx.uow.session
        return set((await session.execute(_INSERT_ROUTINGS, rows)).scalars())

    async def _announce(self, ticket: _New) -> None:
        assignment, opened = ticket.assignment, ticket.opened
        routed = self.metrics.routed.labels(
            tier=assignment.tier, priority=assignment.priority.value, client=ticket.facts.client_id
        )
        ticket.ctx.uow.after_commit(routed.inc)
        await ticket.ctx.emit(assignment.routed(opened.title, drill=opened.drill))
        if assignment.vendor is not None and not opened.drill:
            await ticket.ctx.emit(
                VendorCaseRequested(
                    vendor=assignment.vendor,
                    reason=f"routing rule {assignment.rule}",
                    requested_by="router",
                )
            )

    async def _store_chains(self, tickets: list[_New]) -> list[tuple[Chain, Outcome]]:
        started = [start(t.assignment.policy, t.facts.at) for t in tickets]
        rows = [
            {
                "ticket_id": t.ctx.envelope.ticket_id,
                "client_id": t.ctx.envelope.client_id,
                "correlation_id": t.ctx.envelope.correlation_id,
                "title": t.opened.title,
                "priority": t.assignment.priority.value,
                "tier": t.assignment.tier,
                "policy": self.router.assigner.snapshot(t.assignment.policy),
                "assignee": t.assignment.assignee,
                "backup": t.assignment.backup,
                "manager": t.assignment.manager,
                "step": chain.step,
                "round": chain.round,
                "status": chain.status.value,
                "next_at": chain.next_at,
                "started_at": t.facts.at,
                "updated_at": t.facts.at,
            }
            for t, (chain, _) in zip(tickets, started, strict=True)
        ]
        await tickets[0].ctx.uow.session.execute(_INSERT_ESCALATIONS, rows)
        return started

    async def _first_step(self, ticket: _New, chain: Chain, outcome: Outcome) -> None:
        now = ticket.facts.at
        record = ChainRecord(
            ticket_id=ticket.ctx.envelope.ticket_id,
            client_id=ticket.ctx.envelope.client_id,
            correlation_id=ticket.ctx.envelope.correlation_id,
            title=ticket.opened.title,
            priority=ticket.assignment.priority,
            tier=ticket.assignment.tier,
            policy=ticket.assignment.policy,
            responders=ticket.assignment.responders,
            chain=chain,
            started_at=now,
        )
        await self.keeper.publish(
            ticket.ctx.uow, record, chain, outcome, now=now, emit=ticket.ctx.emit
        )
