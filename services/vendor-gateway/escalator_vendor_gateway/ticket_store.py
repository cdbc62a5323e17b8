"""The gateway's snapshot of each ticket, merged from the tickets and routing topics.

The two topics are not ordered together, so any event may arrive first: a case request or
TicketRouted makes a placeholder row (no `opened_at`), TicketOpened fills in the rest. Every
handler of a ticket starts by upserting its row (`hold`, `record_opened`), which locks it until
the transaction ends, so a case request and the ticket's opening handled at once on two
instances cannot miss each other; the upsert returns the row, so holding costs no extra read.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, literal_column, select, update
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


_PLACEHOLDER = {"title": "", "description": "", "priority": "", "tier_held": {}, "resolved": False}

# Statements built once; each execution only binds parameters (no per-call compiling).
_INSERT = insert(ticket_snapshots)
_HOLD = _INSERT.on_conflict_do_update(
    index_elements=[ticket_snapshots.c.ticket_id],
    set_={"client_id": _INSERT.excluded.client_id},
).returning(ticket_snapshots, (literal_column("xmax") == 0).label("fresh"))
_RECORD_OPENED = _INSERT.on_conflict_do_update(
    index_elements=[ticket_snapshots.c.ticket_id],
    set_={
        **{name: _INSERT.excluded[name] for name in _OPENED_COLUMNS},
        # The router's priority (routing may come first) outranks the opening's.
        "priority": func.coalesce(
            func.nullif(ticket_snapshots.c.priority, ""), _INSERT.excluded.priority
        ),
    },
).returning(ticket_snapshots, (literal_column("xmax") == 0).label("fresh"))


async def hold(session: AsyncSession, ticket_id: str, client_id: str) -> TicketSnapshot:
    """Lock the ticket's row (made as a placeholder if need be) and return it."""
    params = {"ticket_id": ticket_id, "client_id": client_id, **_PLACEHOLDER}
    return _snapshot((await session.execute(_HOLD, params)).one())


async def record_opened(
    session: AsyncSession, ticket_id: str, client_id: str, opened: TicketOpened
) -> tuple[TicketSnapshot, bool]:
    """Store what the opening says (a placeholder keeps its routing); the row, locked, and
    whether it is new (no request or routing of the ticket came before)."""
    params: dict[str, Any] = {
        "ticket_id": ticket_id,
        "client_id": client_id,
        "tier_held": {},
        "resolved": False,
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
    row = (await session.execute(_RECORD_OPENED, params)).one()
    return _snapshot(row), bool(row.fresh)


async def record_routed(
    session: AsyncSession,
    ticket_id: str,
    client_id: str,
    routed: TicketRouted,
    at: datetime,
) -> TicketSnapshot:
    """The tier and assignee now, the time the previous tier held it banked; the row, locked."""
    known = await hold(session, ticket_id, client_id)
    held = known.moved_to(routed.tier, at)
    tier_since = known.tier_since if routed.tier == known.tier else at
    row = (
        await session.execute(
            update(ticket_snapshots)
            .where(ticket_snapshots.c.ticket_id == ticket_id)
            .values(
                tier=routed.tier,
                tier_since=tier_since,
                tier_held={tier: span.total_seconds() for tier, span in held.items()},
                assignee=routed.assignee,
                priority=routed.priority.value,
                title=known.title or routed.title,
            )
            .returning(ticket_snapshots)
        )
    ).one()
    return _snapshot(row)


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
    """The snapshot, opened or a placeholder; None when no event of the ticket has arrived."""
    row = (
        await session.execute(
            select(ticket_snapshots).where(ticket_snapshots.c.ticket_id == ticket_id)
        )
    ).first()
    return None if row is None else _snapshot(row)


def _snapshot(row: Any) -> TicketSnapshot:
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
    return snapshot if snapshot is not None and snapshot.opened else None


async def client_of(session: AsyncSession, ticket_id: str) -> str | None:
    """The ticket's client, None if the gateway has not heard of the ticket."""
    query = select(ticket_snapshots.c.client_id).where(ticket_snapshots.c.ticket_id == ticket_id)
    client_id: str | None = (await session.execute(query)).scalar()
    return client_id
