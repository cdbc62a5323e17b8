"""GET /v1/vendor-cases?ticket_id=…: the cases recorded for a ticket."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from escalator_vendor_gateway.tables import vendor_cases


def cases_router(session_factory: async_sessionmaker[AsyncSession]) -> APIRouter:
    """The vendor case listing."""
    router = APIRouter(tags=["vendor cases"])

    @router.get("/v1/vendor-cases")
    async def list_cases(ticket_id: str) -> list[dict[str, Any]]:
        async with session_factory() as session:
            rows = await session.execute(
                select(vendor_cases).where(vendor_cases.c.ticket_id == ticket_id)
            )
            return [dict(r._mapping) for r in rows]

    return router
