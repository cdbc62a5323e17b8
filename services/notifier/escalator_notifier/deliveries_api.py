"""`GET /v1/deliveries?ticket_id=…`: every message about a ticket, with each attempt."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from fastapi import APIRouter, Request
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from escalator_notifier.tables import deliveries, delivery_attempts
from escalator_shared.access import Permission, Principal
from escalator_shared.config import EscalatorConfig
from escalator_shared.http.auth import authorize

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

# What a client contact sees: the updates sent to the client's own people, not staff pages.
_CUSTOMER_SHOWN = ("id", "kind", "channel", "subject", "status", "created_at", "finished_at")
_CUSTOMER_KIND_PREFIX = "customer_"


def deliveries_router(
    session_factory: async_sessionmaker[AsyncSession], config: EscalatorConfig
) -> APIRouter:
    """The delivery records: staff see all of their clients' tickets', contacts the updates."""
    router = APIRouter(tags=["deliveries"])

    @router.get("/v1/deliveries")
    async def list_deliveries(request: Request, ticket_id: str) -> list[dict[str, Any]]:
        principal = authorize(config, request, Permission.READ)
        async with session_factory() as session:
            rows = [
                row
                for row in await session.execute(
                    select(deliveries.c.client_id, *(deliveries.c[name] for name in _SHOWN))
                    .where(deliveries.c.ticket_id == ticket_id)
                    .order_by(deliveries.c.created_at, deliveries.c.id)
                )
                if _shown_to(principal, row.client_id, row.kind)
            ]
            if principal.is_contact:
                return [{name: row._mapping[name] for name in _CUSTOMER_SHOWN} for row in rows]
            ids = [row.id for row in rows]
            attempts: dict[str, list[dict[str, Any]]] = defaultdict(list)
            for attempt in await session.execute(
                select(delivery_attempts)
                .where(delivery_attempts.c.delivery_id.in_(ids))
                .order_by(delivery_attempts.c.attempt)
            ):
                record = dict(attempt._mapping)
                attempts[record.pop("delivery_id")].append(record)
        return [
            {**{name: row._mapping[name] for name in _SHOWN}, "attempt_log": attempts[row.id]}
            for row in rows
        ]

    return router


def _shown_to(principal: Principal, client_id: str, kind: str) -> bool:
    if not principal.sees(client_id):
        return False
    return not principal.is_contact or kind.startswith(_CUSTOMER_KIND_PREFIX)
