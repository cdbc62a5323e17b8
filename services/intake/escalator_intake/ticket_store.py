"""SQL for intake's tickets, alerts and timeline; the only module that knows those tables."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Row, func, insert, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncSession

from escalator_intake.domain.ticket_rules import ENDED, TicketStatus, reference_number
from escalator_intake.tables import alerts, ticket_keys, tickets, timeline

FIRING = "firing"
RESOLVED = "resolved"


async def find_open_ticket(
    session: AsyncSession, integration: str, dedup_key: str
) -> Row[Any] | None:
    """The open ticket that holds this condition, locked for update, with the condition's
    `key_state` (firing, or resolved when it recovered there); a firing one first."""
    statement = (
        select(tickets, ticket_keys.c.state.label("key_state"))
        .join(ticket_keys, ticket_keys.c.ticket_id == tickets.c.id)
        .where(
            ticket_keys.c.integration == integration,
            ticket_keys.c.dedup_key == dedup_key,
            tickets.c.status.not_in([s.value for s in ENDED]),
        )
        .order_by((ticket_keys.c.state == FIRING).desc(), ticket_keys.c.last_seen_at.desc())
        .limit(1)
        .with_for_update(of=tickets)
    )
    return (await session.execute(statement)).first()


async def find_recently_resolved(
    session: AsyncSession, integration: str, dedup_key: str, since: datetime
) -> Row[Any] | None:
    """The ticket this condition last resolved, if it resolved after `since`; locked."""
    had_key = select(ticket_keys.c.ticket_id).where(
        ticket_keys.c.integration == integration, ticket_keys.c.dedup_key == dedup_key
    )
    statement = (
        select(tickets)
        .where(
            tickets.c.id.in_(had_key),
            tickets.c.status == TicketStatus.RESOLVED.value,
            tickets.c.resolved_at >= since,
        )
        .order_by(tickets.c.resolved_at.desc())
        .limit(1)
        .with_for_update()
    )
    return (await session.execute(statement)).first()


async def find_device_ticket(
    session: AsyncSession, client_id: str, device: str, since: datetime
) -> Row[Any] | None:
    """An open ticket of the same client and device opened after `since`; locked."""
    statement = (
        select(tickets)
        .where(
            tickets.c.client_id == client_id,
            tickets.c.device == device,
            tickets.c.opened_at >= since,
            tickets.c.status.not_in([s.value for s in ENDED]),
        )
        .order_by(tickets.c.opened_at)
        .limit(1)
        .with_for_update()
    )
    return (await session.execute(statement)).first()


async def set_key(
    session: AsyncSession,
    *,
    integration: str,
    dedup_key: str,
    ticket_id: str,
    state: str,
    now: datetime,
) -> None:
    """Attach a condition to a ticket in `state` (firing or resolved)."""
    await session.execute(
        pg_insert(ticket_keys)
        .values(
            integration=integration,
            dedup_key=dedup_key,
            ticket_id=ticket_id,
            state=state,
            first_seen_at=now,
            last_seen_at=now,
        )
        .on_conflict_do_update(
            index_elements=[
                ticket_keys.c.integration,
                ticket_keys.c.dedup_key,
                ticket_keys.c.ticket_id,
            ],
            set_={"state": state, "last_seen_at": now},
        )
    )


async def firing_keys(session: AsyncSession, ticket_id: str) -> int:
    """How many of a ticket's conditions still fire."""
    statement = select(func.count()).where(
        ticket_keys.c.ticket_id == ticket_id, ticket_keys.c.state == FIRING
    )
    return int(await session.scalar(statement) or 0)


async def get_for_update(session: AsyncSession, ticket_id: str) -> Row[Any] | None:
    """A ticket by id, locked for update."""
    statement = select(tickets).where(tickets.c.id == ticket_id).with_for_update()
    return (await session.execute(statement)).first()


async def insert_ticket(session: AsyncSession, values: dict[str, Any]) -> int:
    """Store a new ticket; its number (TKT-<number>), which the database draws."""
    statement = insert(tickets).values(**values).returning(tickets.c.number)
    return int((await session.execute(statement)).scalar_one())


async def get_by_number_for_update(session: AsyncSession, number: int) -> Row[Any] | None:
    """A ticket by its number, locked for update."""
    statement = select(tickets).where(tickets.c.number == number).with_for_update()
    return (await session.execute(statement)).first()


async def update_ticket(session: AsyncSession, ticket_id: str, values: dict[str, Any]) -> None:
    """Change fields of a ticket."""
    await session.execute(update(tickets).where(tickets.c.id == ticket_id).values(**values))


async def record_alert(
    session: AsyncSession, alert_id: str, ticket_id: str, status: str, received_at: datetime
) -> None:
    """Remember which ticket an alert went to, so its id finds the ticket."""
    await session.execute(
        pg_insert(alerts)
        .values(id=alert_id, ticket_id=ticket_id, status=status, received_at=received_at)
        .on_conflict_do_nothing()
    )


async def append_timeline(session: AsyncSession, values: dict[str, Any]) -> None:
    """Add a timeline entry; a repeated event id is ignored."""
    await session.execute(pg_insert(timeline).values(**values).on_conflict_do_nothing())


async def load_ticket(session: AsyncSession, ticket_or_alert_id: str) -> Row[Any] | None:
    """A ticket by its id, its reference (TKT-1042), or the id of any alert that went to it."""
    number = reference_number(ticket_or_alert_id)
    if number is not None:
        by_number = select(tickets).where(tickets.c.number == number)
        return (await session.execute(by_number)).first()
    row = (await session.execute(select(tickets).where(tickets.c.id == ticket_or_alert_id))).first()
    if row is not None:
        return row
    via_alert = select(alerts.c.ticket_id).where(alerts.c.id == ticket_or_alert_id)
    return (
        await session.execute(select(tickets).where(tickets.c.id == via_alert.scalar_subquery()))
    ).first()


async def load_timeline(session: AsyncSession, ticket_id: str) -> list[Row[Any]]:
    """A ticket's timeline, oldest first."""
    statement = (
        select(timeline)
        .where(timeline.c.ticket_id == ticket_id)
        .order_by(timeline.c.occurred_at, timeline.c.event_id)
    )
    return list((await session.execute(statement)).all())
