"""Forgetting handled event ids once no redelivery can bring them back."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import delete, select, tuple_
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from escalator_shared.db.tables import processed_events
from escalator_shared.events import utc_now

_BATCH = 5000


class ProcessedEventsPurge:
    """Deletes processed-event rows older than the retention, a batch at a time."""

    def __init__(
        self, session_factory: async_sessionmaker[AsyncSession], retention: timedelta
    ) -> None:
        self._session_factory = session_factory
        self._retention = retention

    async def purge_batch(self) -> bool:
        """Delete one batch of expired rows; True if a full batch went (more may wait)."""
        cutoff = utc_now() - self._retention
        expired = (
            select(processed_events.c.consumer, processed_events.c.event_id)
            .where(processed_events.c.processed_at < cutoff)
            .limit(_BATCH)
        )
        async with self._session_factory() as session, session.begin():
            key = tuple_(processed_events.c.consumer, processed_events.c.event_id)
            deleted = await session.execute(
                delete(processed_events)
                .where(key.in_(expired))
                .returning(processed_events.c.event_id)
            )
            count = len(deleted.all())
        return count >= _BATCH
