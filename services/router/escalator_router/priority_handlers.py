"""A changed priority routes the ticket again, and its escalation follows.

A person set impact and urgency, or an alert of higher severity joined the ticket
(TicketPriorityChanged). The rules are evaluated again with the new priority (and severity);
the new priority stands whatever a rule would set, so routing never undoes the change.
`TicketRouted` announces the outcome either way, so every service sees the new priority.

- Routing sends it elsewhere (another rule, team, assignee or policy): the chain starts again
  at step 0 of the policy now chosen (snapshotted afresh), paging its people at the new
  priority; a chain somebody acknowledged stays acknowledged, the new step is paged once.
- Routing is unchanged and the priority rose: the current step is paged again at the new
  priority (its channels may differ) while nobody has acknowledged.
- Otherwise only the chain's priority changes (later pages carry it).
A raise to a priority that counts toward a major outage is counted there too.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, replace
from datetime import datetime
from typing import Any

from sqlalchemy import Row, select, update

from escalator_router.chain_keeper import ChainKeeper, ChainRecord
from escalator_router.domain.assignment import Assignment
from escalator_router.domain.escalation_chain import (
    Chain,
    ChainStatus,
    Outcome,
    StepReached,
    Unchanged,
    acknowledge,
    start,
)
from escalator_router.domain.facts import TicketFacts
from escalator_router.domain.router import Router
from escalator_router.explain_request import facts_from_stored
from escalator_router.outage_detector import OutageDetector
from escalator_router.tables import routings
from escalator_shared.bus.dispatcher import HandlerContext, HandlerRegistry
from escalator_shared.events import (
    Priority,
    TicketPriorityChanged,
    VendorCaseRequested,
    utc_now,
)

_PRIORITIES = list(Priority)


@dataclass(frozen=True)
class PriorityHandlers:
    """Handles TicketPriorityChanged (the `tickets` topic)."""

    router: Router
    keeper: ChainKeeper
    outages: OutageDetector

    async def on_priority_changed(
        self, changed: TicketPriorityChanged, ctx: HandlerContext
    ) -> None:
        """Route again with the new priority; move the chain as the module says."""
        session = ctx.uow.session
        routing = (
            await session.execute(
                select(routings)
                .where(routings.c.ticket_id == ctx.envelope.ticket_id)
                .with_for_update()
            )
        ).first()
        record = await self.keeper.load(session, ctx.envelope.ticket_id)
        if routing is None or record is None or routing.facts is None:
            return  # never routed (its opening was dead-lettered): nothing to re-evaluate
        now = utc_now()
        stored = facts_from_stored(routing.facts, now)
        facts = replace(
            stored, priority=changed.priority, severity=changed.severity or stored.severity
        )
        assignment = replace(
            self.router.route(facts),
            priority=changed.priority,
            priority_reason=f"changed to {changed.priority} by {changed.by}"
            + (f" ({changed.reason})" if changed.reason else ""),
        )
        await self._record(ctx, (routing, record.title), assignment, facts, now)
        moved = _where(assignment) != (
            routing.rule,
            routing.tier,
            routing.team,
            routing.assignee,
            routing.escalation_policy,
        )
        raised = _PRIORITIES.index(changed.priority) < _PRIORITIES.index(record.priority)
        await self._move_chain(ctx, record, assignment, moved=moved, raised=raised, now=now)
        if raised and facts.source != "drill":
            await self.outages.ticket_routed(
                ctx.uow,
                (record.ticket_id, record.client_id, record.title),
                assignment,
                facts.labels,
                now=now,
                emit=ctx.emit,
            )

    async def _record(
        self,
        ctx: HandlerContext,
        stored: tuple[Row[Any], str],
        assignment: Assignment,
        facts: TicketFacts,
        now: datetime,
    ) -> None:
        routing, title = stored
        values: dict[str, Any] = {
            "rule": assignment.rule,
            "tier": assignment.tier,
            "team": assignment.team,
            "assignee": assignment.assignee,
            "backup": assignment.backup,
            "priority": assignment.priority.value,
            "schedule": assignment.schedule,
            "manager": assignment.manager,
            "priority_reason": assignment.priority_reason,
            "escalation_policy": assignment.policy.id,
            "vendor": assignment.vendor or routing.vendor,
            "facts": asdict(facts) | {"at": now.isoformat()},
        }
        await ctx.uow.session.execute(
            update(routings).where(routings.c.ticket_id == routing.ticket_id).values(**values)
        )
        drill = facts.source == "drill"
        await ctx.emit(assignment.routed(title, drill=drill))
        if assignment.vendor not in (None, routing.vendor) and not drill:
            await ctx.emit(
                VendorCaseRequested(
                    vendor=assignment.vendor,
                    reason=f"routing rule {assignment.rule}",
                    requested_by="router",
                )
            )

    async def _move_chain(
        self,
        ctx: HandlerContext,
        record: ChainRecord,
        assignment: Assignment,
        *,
        moved: bool,
        raised: bool,
        now: datetime,
    ) -> None:
        status = record.chain.status
        reason = "priority_raised" if raised else "priority_changed"
        chain: Chain = record.chain
        outcome: Outcome = Unchanged(f"priority {assignment.priority}: nobody to page again")
        restarted = status is not ChainStatus.RESOLVED and moved
        if restarted:
            chain, outcome = start(assignment.policy, now, reason=reason)
            if status is ChainStatus.ACKNOWLEDGED:
                chain = acknowledge(chain)  # somebody has it: the new step is told, not timed
        elif status is ChainStatus.ACTIVE and raised:
            outcome = StepReached(chain.step, chain.round, reason)
        updated = replace(
            record,
            priority=assignment.priority,
            tier=assignment.tier,
            policy=assignment.policy if restarted else record.policy,
            responders=assignment.responders if moved else record.responders,
            started_at=now if restarted else record.started_at,
        )
        snapshot = self.router.assigner.snapshot(assignment.policy) if restarted else None
        await self.keeper.reassign(ctx.uow.session, updated, snapshot, now)
        await self.keeper.save(ctx.uow.session, updated, chain, now)
        await self.keeper.publish(ctx.uow, updated, chain, outcome, now=now, emit=ctx.emit)

    def registry(self) -> HandlerRegistry:
        """Event type to handlers."""
        return {TicketPriorityChanged: [self.on_priority_changed]}


def _where(assignment: Assignment) -> tuple[str | None, ...]:
    return (
        assignment.rule,
        assignment.tier,
        assignment.team,
        assignment.assignee,
        assignment.policy.id,
    )
