"""SQL for inbound mail and the message ids that thread replies; the only module on those tables.

`email_threads` holds each id bare (`escalator_shared.message_ids`): the ids of the mail that
opened or updated a ticket (`inbound`) and of our own mail about it (`outbound`).
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Row, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncSession

from escalator_intake.tables import email_threads, inbound_emails
from escalator_shared.message_ids import bare_id

RECEIVED = "received"
PROCESSED = "processed"
INBOUND = "inbound"
OUTBOUND = "outbound"

# Columns operators see in lists (everything but the raw bytes).
_SUMMARY = [c for c in inbound_emails.c if c.name != "raw"]


async def store(session: AsyncSession, values: dict[str, Any]) -> bool:
    """Keep a received message; False if its source_ref was stored before (fetched twice)."""
    statement = (
        pg_insert(inbound_emails)
        .values(state=RECEIVED, **values)
        .on_conflict_do_nothing(index_elements=[inbound_emails.c.source_ref])
        .returning(inbound_emails.c.id)
    )
    return (await session.execute(statement)).first() is not None


async def get_for_update(session: AsyncSession, email_id: str) -> Row[Any] | None:
    """A stored message with its raw bytes, locked."""
    statement = select(inbound_emails).where(inbound_emails.c.id == email_id).with_for_update()
    return (await session.execute(statement)).first()


async def other_processed_with_id(
    session: AsyncSession, message_id: str, email_id: str
) -> str | None:
    """The id of an earlier, processed message with this Message-ID (a resend), if any."""
    statement = (
        select(inbound_emails.c.id)
        .where(
            inbound_emails.c.message_id == message_id,
            inbound_emails.c.id != email_id,
            inbound_emails.c.state == PROCESSED,
        )
        .limit(1)
    )
    return await session.scalar(statement)


async def finish(session: AsyncSession, email_id: str, values: dict[str, Any]) -> None:
    """Record what became of a message (outcome, detail, ticket, client, parsed headers)."""
    await session.execute(
        update(inbound_emails)
        .where(inbound_emails.c.id == email_id)
        .values(state=PROCESSED, **values)
    )


async def reopen_for_replay(
    session: AsyncSession, email_id: str, outcomes: Collection[str]
) -> Row[Any] | None:
    """Mark a message with one of `outcomes` as received again, to be read anew; else None."""
    statement = (
        update(inbound_emails)
        .where(inbound_emails.c.id == email_id, inbound_emails.c.outcome.in_(outcomes))
        .values(state=RECEIVED)
        .returning(inbound_emails.c.id, inbound_emails.c.channel, inbound_emails.c.size)
    )
    return (await session.execute(statement)).first()


async def ticket_of_message(session: AsyncSession, message_ids: Sequence[str]) -> str | None:
    """The ticket of the first of `message_ids` we know (in the order given), bare or bracketed."""
    keys = [k for k in (bare_id(m) for m in message_ids) if k]
    if not keys:
        return None
    statement = select(email_threads.c.message_id, email_threads.c.ticket_id).where(
        email_threads.c.message_id.in_(keys)
    )
    known = dict((await session.execute(statement)).tuples().all())
    return next((known[k] for k in keys if k in known), None)


async def remember_message(
    session: AsyncSession, message_id: str, ticket_id: str, direction: str, now: datetime
) -> None:
    """Replies naming `message_id` thread into `ticket_id` (first ticket recorded wins)."""
    await session.execute(
        pg_insert(email_threads)
        .values(
            message_id=bare_id(message_id) or message_id,
            ticket_id=ticket_id,
            direction=direction,
            recorded_at=now,
        )
        .on_conflict_do_nothing()
    )


async def list_emails(
    session: AsyncSession,
    outcome: str | None,
    state: str | None,
    limit: int,
    clients: list[str] | None = None,
) -> list[dict[str, Any]]:
    """The newest messages first, without their raw bytes; of those clients only, if given."""
    statement = select(*_SUMMARY).order_by(inbound_emails.c.received_at.desc()).limit(limit)
    if clients is not None:
        statement = statement.where(inbound_emails.c.client_id.in_(clients))
    if outcome is not None:
        statement = statement.where(inbound_emails.c.outcome == outcome)
    if state is not None:
        statement = statement.where(inbound_emails.c.state == state)
    return [dict(r._mapping) for r in (await session.execute(statement)).all()]


async def get_email(
    session: AsyncSession, email_id: str, *, with_raw: bool = True
) -> Row[Any] | None:
    """One message, with its raw bytes unless `with_raw` is False."""
    columns = list(inbound_emails.c) if with_raw else _SUMMARY
    statement = select(*columns).where(inbound_emails.c.id == email_id)
    return (await session.execute(statement)).first()
