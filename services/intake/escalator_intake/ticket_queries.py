"""Listing tickets: filters people use on a queue, newest first, keyset paging."""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Select, and_, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from escalator_intake.domain.ticket_rules import ticket_reference
from escalator_intake.tables import tickets
from escalator_shared.http.json_body import nested_deeper_than


@dataclass(frozen=True)
class TicketFilter:
    """Conditions that must all hold; lists mean any of."""

    client: list[str]
    status: list[str]
    priority: list[str]
    tier: list[str]
    assignee: list[str]
    integration: list[str]
    team: list[str] = field(default_factory=list)
    dedup_key: str | None = None
    opened_after: datetime | None = None
    opened_before: datetime | None = None


class BadCursorError(ValueError):
    """The paging cursor was not one this API handed out."""


def encode_cursor(opened_at: datetime, ticket_id: str) -> str:
    """An opaque cursor pointing after this ticket."""
    raw = json.dumps([opened_at.isoformat(), ticket_id]).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[datetime, str]:
    """The position a cursor points after; BadCursorError if it is not ours."""
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        raw = base64.urlsafe_b64decode(padded)
        # Ours are one flat list; parsing a deeply nested one would recurse.
        position: Any = () if nested_deeper_than(raw, 1) else json.loads(raw)
        opened_at, ticket_id = position  # ValueError unless a pair
        return datetime.fromisoformat(opened_at), str(ticket_id)
    except (ValueError, TypeError, binascii.Error) as exc:
        raise BadCursorError("cursor: not a cursor this API returned") from exc


# What a queue shows of each ticket (GET /v1/tickets?view=queue).
QUEUE_COLUMNS = (
    "id",
    "number",
    "client_id",
    "title",
    "status",
    "priority",
    "severity",
    "tier",
    "team",
    "assignee",
    "acknowledged_by",
    "hold_reason",
    "opened_at",
    "alert_count",
)


async def list_tickets(
    session: AsyncSession,
    wanted: TicketFilter,
    limit: int,
    cursor: str | None,
    queue_view: bool = False,
) -> tuple[list[dict[str, Any]], str | None]:
    """One page of tickets and the cursor of the next page (None at the end); with
    `queue_view`, only QUEUE_COLUMNS of each."""
    columns = [tickets.c[name] for name in QUEUE_COLUMNS] if queue_view else [tickets]
    statement = _filtered(select(*columns), wanted)
    if cursor:
        opened_at, ticket_id = decode_cursor(cursor)
        statement = statement.where(
            or_(
                tickets.c.opened_at < opened_at,
                and_(tickets.c.opened_at == opened_at, tickets.c.id < ticket_id),
            )
        )
    statement = statement.order_by(tickets.c.opened_at.desc(), tickets.c.id.desc()).limit(limit + 1)
    rows = (await session.execute(statement)).all()
    page = [{**r._mapping, "reference": ticket_reference(r.number)} for r in rows[:limit]]
    next_cursor = None
    if len(rows) > limit:
        last = page[-1]
        next_cursor = encode_cursor(last["opened_at"], last["id"])
    return page, next_cursor


def _filtered(statement: Select[Any], wanted: TicketFilter) -> Select[Any]:
    for column, values in (
        (tickets.c.client_id, wanted.client),
        (tickets.c.status, wanted.status),
        (tickets.c.priority, wanted.priority),
        (tickets.c.tier, wanted.tier),
        (tickets.c.assignee, wanted.assignee),
        (tickets.c.integration, wanted.integration),
        (tickets.c.team, wanted.team),
    ):
        if values:
            statement = statement.where(column.in_(values))
    if wanted.dedup_key is not None:
        statement = statement.where(tickets.c.dedup_key == wanted.dedup_key)
    if wanted.opened_after is not None:
        statement = statement.where(tickets.c.opened_at >= wanted.opened_after)
    if wanted.opened_before is not None:
        statement = statement.where(tickets.c.opened_at < wanted.opened_before)
    return statement
