"""Bodies intake refused as malformed: kept, listed, shown and replayed, never silently dropped."""

from __future__ import annotations

from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from escalator_intake.tables import rejected_requests
from escalator_shared.events import new_id, utc_now

_SUMMARY_COLUMNS = [c for c in rejected_requests.c if c.name != "body"]


class RejectedStore:
    """The rejected_requests table."""

    def __init__(self, session_factory: async_sessionmaker[AsyncSession]) -> None:
        self._session_factory = session_factory

    async def record(
        self, integration: str, body: bytes, status: int, error: str, content_type: str | None
    ) -> str:
        """Keep a refused body; returns its id."""
        rejected_id = new_id()
        async with self._session_factory() as session, session.begin():
            await session.execute(
                insert(rejected_requests).values(
                    id=rejected_id,
                    integration=integration,
                    received_at=utc_now(),
                    status_code=status,
                    error=error[:2000],
                    content_type=content_type,
                    body=body,
                )
            )
        return rejected_id

    async def list(self, integration: str | None, limit: int) -> list[dict[str, Any]]:
        """The newest rejected requests, without their bodies."""
        statement = select(*_SUMMARY_COLUMNS).order_by(rejected_requests.c.received_at.desc())
        if integration:
            statement = statement.where(rejected_requests.c.integration == integration)
        async with self._session_factory() as session:
            rows = await session.execute(statement.limit(limit))
            return [dict(r._mapping) for r in rows]

    async def get(self, rejected_id: str) -> dict[str, Any] | None:
        """One rejected request with its body."""
        async with self._session_factory() as session:
            row = (
                await session.execute(
                    select(rejected_requests).where(rejected_requests.c.id == rejected_id)
                )
            ).first()
            return dict(row._mapping) if row else None

    async def mark_replayed(self, rejected_id: str, result: str) -> None:
        """Record the outcome of a replay."""
        async with self._session_factory() as session, session.begin():
            await session.execute(
                update(rejected_requests)
                .where(rejected_requests.c.id == rejected_id)
                .values(replayed_at=utc_now(), replay_result=result[:2000])
            )
