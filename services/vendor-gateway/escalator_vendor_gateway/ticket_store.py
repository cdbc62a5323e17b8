"""The gateway's snapshot of each ticket, merged from the tickets and routing topics.

The two topics are not ordered together, so either may arrive first: TicketRouted makes a row
with the routing only (no `opened_at`), TicketOpened fills in the rest. Handlers of one ticket
take a transaction-scoped advisory lock on it first, so a case request and the ticket's opening
handled at once on two instances cannot miss each other.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from escalator_shared.events import TicketOpened, TicketRouted
from escalator_vendor_gateway.domain.ticket_snapshot import TicketSnapshot
from escalator_vendor_gateway.tables import ticket_snapshots

_OPENED_COLUMNS = (
    "title",
    "description",
    "priority",
    "device",
    "reference",
    "requester",
    "error_codes",
    "labels",
    "opened_at",
)


async def lock_ticket(session: AsyncSession, ticket_id: str) -> None:
    """Serialise the gateway's work on one ticket until the transaction ends."""
    await session.execute(select(func.pg_advisory_xact_lock(func.hashtext(ticket_id))))


async def record_opened(
    session: AsyncSession, ticket_id: str, client_id: str, opened: TicketOpened
) -> None:
    """Store what the opening says (a routed-first row keeps its routing)."""
    values: dict[str, Any] = {
        "title": opened.title,
        "description": opened.description,
        "priority": opened.priority.value,
        "device": opened.device,
        "reference": opened.reference,
        "requester": opened.requester,
        "error_codes": list(opened.error_codes),
        "labels": dict(opened.labels),
        "opened_at": opened.opened_at,
    }
    statement = insert(ticket_snapshots).values(
        ticket_id=ticket_id, client_id=client_id, tier_held={}, resolved=False, **values
    )
    await session.execute(
        statement.on_conflict_do_update(
            index_elements=[ticket_snapshots.c.ticket_id],
            set_={name: statement.excluded[name] for name in _OPENED_COLUMNS},
        )
    )


async def record_routed(
    session: AsyncSession,
    ticket_id: str,
    client_id: str,
    routed: TicketRouted,
    at: datetime,
) -> None:
    """The tier and assignee now; the time the previous tier held it is banked."""
    known = await load(session, ticket_id)
    if known is None:
        await session.execute(
            insert(ticket_snapshots)
            .values(
                ticket_id=ticket_id,
                client_id=client_id,
                title=routed.title,
                priority=routed.priority.value,
                tier=routed.tier,
                tier_since=at,
                tier_held={},
                assignee=routed.assignee,
                resolved=False,
            )
            .on_conflict_do_nothing()
        )
        return
    held = known.moved_to(routed.tier, at)
    tier_since = known.tier_since if routed.tier == known.tier else at
    await session.execute(
        update(ticket_snapshots)
        .where(ticket_snapshots.c.ticket_id == ticket_id)
        .values(
            tier=routed.tier,
            tier_since=tier_since,
            tier_held={tier: span.total_seconds() for tier, span in held.items()},
            assignee=routed.assignee,
            priority=routed.priority.value,
        )
    )


async def record_priority(session: AsyncSession, ticket_id: str, priority: str) -> None:
    """A changed priority (cases opened later carry it)."""
    await session.execute(
        update(ticket_snapshots)
        .where(ticket_snapshots.c.ticket_id == ticket_id)
        .values(priority=priority)
    )


async def record_resolved(session: AsyncSession, ticket_id: str, resolved: bool) -> None:
    """Resolved (cases not yet open are cancelled) or reopened."""
    await session.execute(
        update(ticket_snapshots)
        .where(ticket_snapshots.c.ticket_id == ticket_id)
        .values(resolved=resolved)
    )


async def load(session: AsyncSession, ticket_id: str) -> TicketSnapshot | None:
    """The snapshot, opened or routed-only; None when neither event has arrived."""
    row = (
        await session.execute(
            select(ticket_snapshots).where(ticket_snapshots.c.ticket_id == ticket_id)
        )
    ).first()
    if row is None:
        return None
    return TicketSnapshot(
        ticket_id=row.ticket_id,
        client_id=row.client_id,
        title=row.title,
        priority=row.priority,
        opened_at=row.opened_at,
        description=row.description,
        device=row.device,
        reference=row.reference,
        requester=row.requester,
        error_codes=tuple(row.error_codes),
        labels=dict(row.labels),
        tier=row.tier,
        tier_since=row.tier_since,
        tier_held={tier: timedelta(seconds=s) for tier, s in row.tier_held.items()},
        assignee=row.assignee,
    )


async def load_opened(session: AsyncSession, ticket_id: str) -> TicketSnapshot | None:
    """The snapshot once the ticket's opening has arrived; None before."""
    snapshot = await load(session, ticket_id)
    return snapshot if snapshot is not None and snapshot.opened_at is not None else None
