"""Declares major outages as tickets are routed, and pages the executives once per window.

Tickets of one service are counted under a transaction-scoped advisory lock on the service, so
two tickets routed at once on different partitions cannot both miss the threshold.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, func, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from escalator_router.chain_keeper import Emit
from escalator_router.domain.assignment import Assignment
from escalator_router.domain.directory import Directory
from escalator_router.domain.major_outage import OutageWatch, declared, watch
from escalator_router.domain.targets import resolve_targets
from escalator_router.escalation_metrics import EscalationMetrics
from escalator_router.tables import major_outages, outage_watch
from escalator_shared.config import MajorOutage
from escalator_shared.db.unit_of_work import UnitOfWork
from escalator_shared.events import RespondersPaged


class OutageDetector:
    """Counts qualifying tickets per service and declares a major outage past the threshold."""

    def __init__(
        self, policy: MajorOutage | None, directory: Directory, metrics: EscalationMetrics
    ) -> None:
        self._policy = policy
        self._directory = directory
        self._metrics = metrics

    async def ticket_routed(
        self,
        uow: UnitOfWork,
        ticket: tuple[str, str, str],
        assignment: Assignment,
        labels: dict[str, str],
        *,
        now: datetime,
        emit: Emit,
    ) -> None:
        """Count the ticket (id, client, title); page the executives if an outage begins."""
        policy = self._policy
        taking_part = watch(policy, assignment.priority, labels)
        if policy is None or taking_part is None:
            return
        ticket_id, client_id, title = ticket
        session = uow.session
        since = now - policy.window
        await session.execute(
            select(func.pg_advisory_xact_lock(func.hashtext(taking_part.service)))
        )
        await session.execute(
            delete(outage_watch).where(
                outage_watch.c.service == taking_part.service, outage_watch.c.opened_at < since
            )
        )
        await session.execute(
            insert(outage_watch)
            .values(
                ticket_id=ticket_id, client_id=client_id, service=taking_part.service, opened_at=now
            )
            .on_conflict_do_nothing()
        )
        clients = (
            await session.execute(
                select(func.count(func.distinct(outage_watch.c.client_id))).where(
                    outage_watch.c.service == taking_part.service
                )
            )
        ).scalar_one()
        reason = declared(policy, taking_part, clients)
        if reason is None or not await self._first_in_window(
            session, taking_part, ticket_id, reason, now=now, since=since
        ):
            return
        declared_by = self._metrics.major_outages.labels(
            trigger="flagged" if taking_part.flagged else "clients"
        )
        uow.after_commit(declared_by.inc)
        pages = resolve_targets(policy.page, self._directory, assignment.responders, now)
        await emit(
            RespondersPaged(
                title=title,
                priority=assignment.priority,
                reason="major_outage",
                detail=reason,
                people=[p.person for p in pages],
                via=[p.via for p in pages],
            )
        )

    async def _first_in_window(
        self,
        session: AsyncSession,
        taking_part: OutageWatch,
        ticket_id: str,
        reason: str,
        *,
        now: datetime,
        since: datetime,
    ) -> bool:
        last = (
            await session.execute(
                select(major_outages.c.declared_at).where(
                    major_outages.c.service == taking_part.service
                )
            )
        ).scalar_one_or_none()
        if last is not None and last >= since:
            return False
        values = {"declared_at": now, "ticket_id": ticket_id, "reason": reason}
        await session.execute(
            insert(major_outages)
            .values(service=taking_part.service, **values)
            .on_conflict_do_update(index_elements=[major_outages.c.service], set_=values)
        )
        return True
