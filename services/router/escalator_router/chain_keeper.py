"""Stored escalation chains: load one locked, save it, and publish what a move produced.

Steps reached are kept for reports with `insert_later` (one statement per transaction).

Handlers and the escalation timer both go through here, so a step is recorded, counted and
announced the same way whichever of them moved the chain, always in the caller's transaction.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Row, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from escalator_router.domain.directory import Directory
from escalator_router.domain.escalation_chain import (
    Chain,
    ChainStatus,
    ExtraPage,
    Outcome,
    StepReached,
)
from escalator_router.domain.targets import TicketResponders, resolve_targets
from escalator_router.escalation_metrics import EscalationMetrics
from escalator_router.tables import escalation_steps, escalations
from escalator_shared.config import EscalationPolicy
from escalator_shared.db.unit_of_work import UnitOfWork
from escalator_shared.events import (
    EscalationStepReached,
    EscalationStopped,
    Event,
    Priority,
    RespondersPaged,
)

log = logging.getLogger(__name__)

Emit = Callable[[Event], Awaitable[object]]


@dataclass(frozen=True)
class ChainRecord:
    """A ticket's stored chain with what its steps need to resolve and announce pages."""

    ticket_id: str
    client_id: str
    correlation_id: str
    title: str
    priority: Priority
    tier: str
    policy: EscalationPolicy
    responders: TicketResponders
    chain: Chain
    started_at: datetime


class ChainKeeper:
    """Reads and writes the `escalations` table and announces moves."""

    def __init__(self, directory: Directory, metrics: EscalationMetrics) -> None:
        self._directory = directory
        self._metrics = metrics

    async def load(self, session: AsyncSession, ticket_id: str) -> ChainRecord | None:
        """The ticket's chain, locked for this transaction; None if it has none."""
        row = (
            await session.execute(
                select(escalations).where(escalations.c.ticket_id == ticket_id).with_for_update()
            )
        ).first()
        return None if row is None else record_of(row)

    async def save(
        self, session: AsyncSession, record: ChainRecord, chain: Chain, now: datetime
    ) -> None:
        """Store the chain's new position (and its start, which a reopen moves)."""
        await session.execute(
            update(escalations)
            .where(escalations.c.ticket_id == record.ticket_id)
            .values(
                step=chain.step,
                round=chain.round,
                status=chain.status.value,
                next_at=chain.next_at,
                started_at=record.started_at,
                updated_at=now,
            )
        )

    async def reassign(
        self,
        session: AsyncSession,
        record: ChainRecord,
        snapshot: dict[str, Any] | None,
        now: datetime,
    ) -> None:
        """Store what routing the ticket again changed: its priority, tier and responders, and
        the snapshot of a policy the chain now follows (None: it keeps its own)."""
        values: dict[str, Any] = {
            "priority": record.priority.value,
            "tier": record.tier,
            "assignee": record.responders.assignee,
            "backup": record.responders.backup,
            "manager": record.responders.manager,
            "updated_at": now,
        }
        if snapshot is not None:
            values["policy"] = snapshot
        await session.execute(
            update(escalations).where(escalations.c.ticket_id == record.ticket_id).values(**values)
        )

    async def publish(
        self,
        uow: UnitOfWork,
        record: ChainRecord,
        chain: Chain,
        outcome: Outcome,
        *,
        now: datetime,
        emit: Emit,
    ) -> None:
        """Record and announce a step reached or an extra page; log an unchanged chain."""
        if isinstance(outcome, StepReached):
            await self._step_reached(uow, record, chain, outcome, now=now, emit=emit)
        elif isinstance(outcome, ExtraPage):
            pages = resolve_targets(outcome.targets, self._directory, record.responders, now)
            await emit(
                RespondersPaged(
                    title=record.title,
                    priority=record.priority,
                    reason=outcome.reason,
                    detail=outcome.detail,
                    people=[p.person for p in pages],
                    via=[p.via for p in pages],
                )
            )
        else:
            log.info("escalation of %s unchanged: %s", record.ticket_id, outcome.why)
        if (
            chain.status is ChainStatus.EXHAUSTED
            and record.chain.status is not ChainStatus.EXHAUSTED
        ):
            await self.stopped(uow, record, chain, "exhausted", by=None, emit=emit)

    async def stopped(
        self,
        uow: UnitOfWork,
        record: ChainRecord,
        chain: Chain,
        outcome: str,
        *,
        by: str | None,
        emit: Emit,
    ) -> None:
        """Announce that the chain stopped moving."""
        uow.after_commit(self._metrics.stopped.labels(outcome=outcome).inc)
        await emit(EscalationStopped(outcome=outcome, step=chain.step, round=chain.round, by=by))

    async def _step_reached(
        self,
        uow: UnitOfWork,
        record: ChainRecord,
        chain: Chain,
        reached: StepReached,
        *,
        now: datetime,
        emit: Emit,
    ) -> None:
        step = record.policy.steps[reached.step]
        pages = resolve_targets(step.targets, self._directory, record.responders, now)
        people = [p.person for p in pages]
        since_start = max(0.0, (now - record.started_at).total_seconds())
        uow.insert_later(
            escalation_steps,
            {
                "ticket_id": record.ticket_id,
                "client_id": record.client_id,
                "policy": record.policy.id,
                "step": reached.step,
                "round": reached.round,
                "reason": reached.reason,
                "people": people,
                "reached_at": now,
                "seconds_since_start": since_start,
            },
        )
        index, client = str(reached.step), record.client_id
        labels = {"tier": record.tier, "step": index, "reason": reached.reason, "client": client}
        uow.after_commit(self._metrics.steps.labels(**labels).inc)
        if reached.step or reached.round:
            histogram = self._metrics.time_to_escalate.labels(step=index, client=client)
            uow.after_commit(lambda: histogram.observe(since_start))
        await emit(
            EscalationStepReached(
                title=record.title,
                priority=record.priority,
                policy=record.policy.id,
                step=reached.step,
                round=reached.round,
                step_name=step.name or f"step {reached.step + 1}",
                reason=reached.reason,
                detail=reached.detail,
                people=people,
                via=[p.via for p in pages],
                next_escalation_at=chain.next_at,
            )
        )


def record_of(r: Row[Any]) -> ChainRecord:
    """A stored `escalations` row as a ChainRecord."""
    return ChainRecord(
        ticket_id=r.ticket_id,
        client_id=r.client_id,
        correlation_id=r.correlation_id,
        title=r.title,
        priority=Priority(r.priority),
        tier=r.tier,
        policy=EscalationPolicy.model_validate(r.policy),
        responders=TicketResponders(r.assignee, r.backup, r.manager),
        chain=Chain(
            step=r.step,
            round=r.round,
            status=ChainStatus(r.status),
            next_at=r.next_at,
        ),
        started_at=r.started_at,
    )
