"""Bundles and digests: many messages to one person, sent as one.

A rate-limited message joins its person's open bundle for the channel; a low-priority one
waits in the person's open digest. When the collection falls due, its words are written from
its members ("37 more notifications (ACME Corp: 30, Globex: 7)").
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from datetime import datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from escalator_notifier.domain.content import TemplateBook
from escalator_notifier.tables import BUNDLED, CANCELLED, OPEN_COLLECTION, PENDING, deliveries
from escalator_shared.config import EscalatorConfig
from escalator_shared.events import new_id, utc_now

LISTED = 20  # members listed by subject; the rest are counted


class CollectionWriter:
    """Adds members to collections and writes a collection's words when it is sent."""

    def __init__(
        self,
        config: EscalatorConfig,
        book: TemplateBook,
        clock: Callable[[], datetime] = utc_now,
    ) -> None:
        self._config = config
        self._book = book
        self._clock = clock

    async def bundle(self, session: AsyncSession, row: Any, due: datetime) -> None:
        """Fold a rate-limited message into its person's open bundle for the channel."""
        now = self._clock()
        statement = insert(deliveries).values(
            id=new_id(),
            trigger_event_id=f"bundle:{new_id()}",
            trigger_occurred_at=now,
            correlation_id=row.correlation_id,
            ticket_id="",
            client_id="",
            recipient=row.recipient,
            channel=row.channel,
            address=row.address,
            subject="",
            body="",
            status=PENDING,
            attempts=0,
            next_attempt_at=due,
            created_at=now,
            kind="bundle",
            priority=row.priority,
            details={"mention": (row.details or {}).get("mention")},
            repeat=0,
            item_count=1,
        )
        bundle_id: str = (
            await session.execute(
                statement.on_conflict_do_update(
                    index_elements=["recipient", "channel", "kind"],
                    index_where=OPEN_COLLECTION,
                    set_={"item_count": deliveries.c.item_count + 1},
                ).returning(deliveries.c.id)
            )
        ).scalar_one()
        await session.execute(
            update(deliveries)
            .where(deliveries.c.id == row.id)
            .values(status=BUNDLED, collection=bundle_id, finished_at=now)
        )

    async def compose(self, session: AsyncSession, row: Any) -> Any | None:
        """The collection row with its subject and text written; None when it has no members
        left (cancelled with their ticket), in which case it is cancelled too."""
        members = list(
            await session.execute(
                select(
                    deliveries.c.subject,
                    deliveries.c.client_id,
                    deliveries.c.created_at,
                    deliveries.c.status,
                )
                .where(deliveries.c.collection == row.id)
                .order_by(deliveries.c.created_at)
            )
        )
        members = [m for m in members if m.status != CANCELLED]
        if not members:
            await session.execute(
                update(deliveries).where(deliveries.c.id == row.id).values(status=CANCELLED)
            )
            return None
        names = {c.id: c.name for c in self._config.clients}
        by_client = Counter(names.get(m.client_id, m.client_id) for m in members)
        variables = {
            "count": len(members),
            "channel": row.channel,
            "every": (row.details or {}).get("every", "daily"),
            "clients": ", ".join(f"{name}: {n}" for name, n in by_client.most_common()),
            "items": [
                {"subject": m.subject, "at": f"{m.created_at:%Y-%m-%d %H:%M} UTC"}
                for m in members[:LISTED]
            ],
        }
        content = self._book.render(row.kind, row.channel, variables)
        details = {**(row.details or {}), "summary": content.summary, "facts": [], "links": {}}
        return (
            await session.execute(
                update(deliveries)
                .where(deliveries.c.id == row.id)
                .values(
                    subject=content.subject,
                    body=content.text,
                    details=details,
                    item_count=len(members),
                )
                .returning(*deliveries.columns)
            )
        ).first()
