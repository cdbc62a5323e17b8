"""One database transaction holding a service's state changes and the events they cause."""

from __future__ import annotations

from collections.abc import Callable
from types import TracebackType
from typing import Any, Self

from sqlalchemy import Table, text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from escalator_shared.db.bulk_insert import copy_rows
from escalator_shared.db.tables import outbox
from escalator_shared.events import Envelope, Event, Topics

# One prepared statement whatever the number of ids: they travel as one array.
_CLAIM = text(
    """
    INSERT INTO processed_events (consumer, event_id)
    SELECT :consumer, id FROM unnest(CAST(:event_ids AS text[])) AS e(id)
    ON CONFLICT DO NOTHING
    RETURNING event_id
    """
)


class UnitOfWork:
    """`async with uow:` opens a transaction; leaving it commits, or rolls back on error.

    Events emitted inside are written to the outbox in the same transaction (in one statement,
    just before the commit) and published by the outbox relay after commit (`on_commit` wakes it).
    """

    def __init__(
        self,
        session_factory: async_sessionmaker[AsyncSession],
        topics: Topics,
        producer_name: str,
        on_commit: Callable[[], None] = lambda: None,
    ) -> None:
        self._session_factory = session_factory
        self._topics = topics
        self._producer_name = producer_name
        self._on_commit = on_commit
        self._session: AsyncSession | None = None
        self._outbox_rows: list[dict[str, object]] = []
        self._later: dict[Table, list[dict[str, Any]]] = {}
        self._after_commit: list[Callable[[], None]] = []
        self._after_rollback: list[Callable[[], None]] = []
        self.emitted: list[Envelope] = []

    @property
    def producer_name(self) -> str:
        """The service that emits through this unit of work."""
        return self._producer_name

    @property
    def session(self) -> AsyncSession:
        """The open transaction's session."""
        if self._session is None:
            raise RuntimeError("UnitOfWork used outside `async with`")
        return self._session

    async def __aenter__(self) -> Self:
        self._session = self._session_factory()
        await self._session.begin()
        self.emitted = []
        self._outbox_rows = []
        self._later = {}
        self._after_commit = []
        self._after_rollback = []
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        session = self.session
        committed = False
        try:
            if exc_type is None:
                await self._write_outbox()
                await session.commit()
                committed = True
            else:
                await session.rollback()
        finally:
            await session.close()
            self._session = None
            callbacks = self._after_commit if committed else self._after_rollback
            self._after_commit, self._after_rollback = [], []
            if committed and self.emitted:
                self._on_commit()
            for callback in callbacks:
                callback()

    def after_commit(self, callback: Callable[[], None]) -> None:
        """Run `callback` once the transaction committed (never if it rolls back): metrics."""
        self._after_commit.append(callback)

    def after_rollback(self, callback: Callable[[], None]) -> None:
        """Run `callback` if the transaction does not commit (a handler failed, or the commit
        did): undo what was promised in memory for it."""
        self._after_rollback.append(callback)

    async def claim(self, consumer: str, event_id: str) -> bool:
        """Record that `consumer` handles `event_id`; False if it already did (a redelivery)."""
        return bool(await self.claim_many(consumer, [event_id]))

    async def claim_many(self, consumer: str, event_ids: list[str]) -> set[str]:
        """Claim several event ids in one statement; the ids not handled before."""
        result = await self.session.execute(_CLAIM, {"consumer": consumer, "event_ids": event_ids})
        return set(result.scalars())

    def insert_later(self, table: Table, row: dict[str, Any]) -> None:
        """Insert `row` at commit, in one statement with the other rows of `table`.

        Only for rows nothing reads back in the same transaction (records kept for reports).
        """
        self._later.setdefault(table, []).append(row)

    async def _write_outbox(self) -> None:
        for table, rows in self._later.items():
            await copy_rows(self.session, table, rows)
        self._later = {}
        await copy_rows(self.session, outbox, self._outbox_rows)
        self._outbox_rows = []

    async def emit(
        self,
        event: Event,
        *,
        ticket_id: str,
        client_id: str,
        cause: Envelope | None = None,
        correlation_id: str | None = None,
        message_key: str | None = None,
    ) -> Envelope:
        """Write the event to the outbox; it is published once the transaction commits.

        The Kafka key is the ticket id unless `message_key` says otherwise (alerts are keyed by
        their dedup key, so that all alerts of one condition stay in order).
        """
        envelope = Envelope.wrap(
            event,
            ticket_id=ticket_id,
            client_id=client_id,
            producer=self._producer_name,
            cause=cause,
            correlation_id=correlation_id,
        )
        self._outbox_rows.append(
            {
                "topic": self._topics.for_stream(event.stream),
                "message_key": message_key or ticket_id,
                "event_id": envelope.event_id,
                "payload": envelope.to_bytes(),
            }
        )
        self.emitted.append(envelope)
        return envelope
