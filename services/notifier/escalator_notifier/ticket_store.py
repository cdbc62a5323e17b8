"""What the notifier remembers of tickets: facts, assignment, SLA clocks; and the view of one."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from sqlalchemy import text, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from escalator_notifier.domain.notice_context import Clock, TicketView
from escalator_notifier.tables import ticket_clocks, tickets
from escalator_shared.config import EscalatorConfig


async def upsert(
    session: AsyncSession, table: Any, keys: dict[str, Any], values: dict[str, Any]
) -> None:
    """Insert the row, or update it when the keys exist."""
    await session.execute(
        insert(table)
        .values(**keys, **values)
        .on_conflict_do_update(index_elements=list(keys), set_=values)
    )


async def set_ticket(session: AsyncSession, ticket_id: str, **values: Any) -> None:
    """Change remembered facts of a ticket (nothing when intake's opening has not arrived)."""
    await session.execute(update(tickets).where(tickets.c.ticket_id == ticket_id).values(**values))


async def set_clock(
    session: AsyncSession,
    ticket_id: str,
    metric: str,
    state: str,
    *,
    due_at: datetime | None = None,
    remaining_seconds: int | None = None,
) -> None:
    """Remember a clock's state as the SLA timer last reported it."""
    await upsert(
        session,
        ticket_clocks,
        {"ticket_id": ticket_id, "metric": metric},
        {"state": state, "due_at": due_at, "remaining_seconds": remaining_seconds},
    )


# One round trip: the assignment, the opening's facts and the live clocks of some tickets.
_VIEWS = text(
    """
    SELECT k.id, a.title, a.priority, a.tier, a.team, a.assignee, a.backup,
           t.title AS opened_title, t.priority AS opened_priority, t.reference, t.requester,
           t.requester_message_id,
           (SELECT coalesce(json_agg(json_build_object(
                       'metric', c.metric, 'state', c.state, 'due_at', c.due_at,
                       'remaining_seconds', c.remaining_seconds) ORDER BY c.due_at), '[]')
              FROM ticket_clocks c
             WHERE c.ticket_id = k.id AND c.state <> 'stopped') AS clocks
      FROM unnest(CAST(:ticket_ids AS text[])) AS k(id)
      LEFT JOIN assignments a ON a.ticket_id = k.id
      LEFT JOIN tickets t ON t.ticket_id = k.id
    """
)


async def load_view(
    session: AsyncSession, config: EscalatorConfig, ticket_id: str, client_id: str
) -> TicketView | None:
    """The ticket as the notifier knows it from intake's opening and the router's assignment;
    None before either has arrived."""
    return (await load_views(session, config, [(ticket_id, client_id)]))[ticket_id]


async def load_views(
    session: AsyncSession, config: EscalatorConfig, tickets_of: list[tuple[str, str]]
) -> dict[str, TicketView | None]:
    """`load_view` of several (ticket id, client id) in one query, by ticket id."""
    client_of = dict(tickets_of)
    result = await session.execute(_VIEWS, {"ticket_ids": list(client_of)})
    return {row.id: _view(config, row, client_of[row.id]) for row in result}


def _view(config: EscalatorConfig, row: Any, client_id: str) -> TicketView | None:
    title = row.title or row.opened_title
    if title is None:
        return None
    clocks = [
        Clock(
            c["metric"],
            c["state"],
            datetime.fromisoformat(c["due_at"]) if c["due_at"] else None,
            c["remaining_seconds"],
        )
        for c in _json_list(row.clocks)
    ]
    assignee = row.assignee
    return TicketView(
        ticket_id=row.id,
        client_id=client_id,
        client_name=client_name(config, client_id),
        title=title,
        priority=row.priority or row.opened_priority,
        reference=row.reference,
        tier=row.tier,
        team=row.team,
        assignee=assignee,
        assignee_name=person_name(config, assignee) if assignee else None,
        backup=row.backup,
        requester=row.requester,
        requester_message_id=row.requester_message_id,
        clocks=clocks,
    )


def _json_list(value: Any) -> list[dict[str, Any]]:
    loaded = json.loads(value) if isinstance(value, str) else value
    return list(loaded or [])


def client_name(config: EscalatorConfig, client_id: str) -> str:
    """The client's name; its id when the configuration no longer lists it."""
    try:
        return config.client(client_id).name
    except KeyError:
        return client_id


def person_name(config: EscalatorConfig, person_id: str) -> str:
    """The person's name; their id when the configuration no longer lists them."""
    try:
        return config.person(person_id).name
    except KeyError:
        return person_id
