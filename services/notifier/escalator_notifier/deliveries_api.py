"""`GET /v1/deliveries?ticket_id=…`: every message about a ticket, with each attempt."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from fastapi import APIRouter, Request
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from escalator_notifier.tables import deliveries, delivery_attempts
from escalator_shared.config import EscalatorConfig
from escalator_shared.http.auth import authenticate_staff

_SHOWN = (
    "id",
    "kind",
    "recipient",
    "channel",
    "address",
    "subject",
    "status",
    "priority",
    "attempts",
    "created_at",
    "next_attempt_at",
    "held_until",
    "repeat",
    "finished_at",
    "last_error",
    "provider_response",
    "collection",
    "fallback_of",
    "trigger_event_id",
)


def deliveries_router(
    session_factory: async_sessionmaker[AsyncSession], config: EscalatorConfig
) -> APIRouter:
    """The delivery records (staff tokens)."""
    router = APIRouter(tags=["deliveries"])

    @router.get("/v1/deliveries")
    async def list_deliveries(request: Request, ticket_id: str) -> list[dict[str, Any]]:
        authenticate_staff(config, request)
        async with session_factory() as session:
            rows = list(
                await session.execute(
                    select(*(deliveries.c[name] for name in _SHOWN))
                    .where(deliveries.c.ticket_id == ticket_id)
                    .order_by(deliveries.c.created_at, deliveries.c.id)
                )
            )
            ids = [row.id for row in rows]
            attempts: dict[str, list[dict[str, Any]]] = defaultdict(list)
            for attempt in await session.execute(
                select(delivery_attempts)
                .where(delivery_attempts.c.delivery_id.in_(ids))
                .order_by(delivery_attempts.c.attempt)
            ):
                record = dict(attempt._mapping)
                attempts[record.pop("delivery_id")].append(record)
        return [{**dict(row._mapping), "attempt_log": attempts[row.id]} for row in rows]

    return router
