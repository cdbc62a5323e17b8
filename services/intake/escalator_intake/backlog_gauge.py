"""The backlog as a Prometheus gauge: open tickets by client, priority and status, counted from
the ticket store every few seconds (`escalator_tickets_open`).

Every intake process counts the same table, so dashboards take `max` across instances rather
than `sum`. Labels stay bounded: clients are the configuration's, priorities P1-P5, and the
three open statuses.
"""

from __future__ import annotations

from collections.abc import Callable

from prometheus_client import CollectorRegistry, Gauge
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from escalator_intake.domain.ticket_rules import ENDED
from escalator_intake.tables import tickets
from escalator_shared.polling import PollingLoop

_OPEN_COUNTS = (
    select(tickets.c.client_id, tickets.c.priority, tickets.c.status, func.count().label("open"))
    .where(tickets.c.status.not_in([s.value for s in ENDED]))
    .group_by(tickets.c.client_id, tickets.c.priority, tickets.c.status)
)


class BacklogGauge:
    """Keeps `escalator_tickets_open` current; `loop` is its background task."""

    def __init__(
        self,
        sessions: Callable[[], AsyncSession],
        registry: CollectorRegistry,
        every_seconds: float = 15.0,
    ) -> None:
        self._sessions = sessions
        self.gauge = Gauge(
            "escalator_tickets_open",
            "Open tickets (new, in progress, on hold), by client, priority and status.",
            ["client", "priority", "status"],
            registry=registry,
        )
        self._shown: set[tuple[str, str, str]] = set()
        self.loop = PollingLoop(self.count, every_seconds)

    async def count(self) -> bool:
        """Count once; a combination no longer open drops to 0 (not out of the series, so a
        graph of it ends at zero rather than at its last value)."""
        async with self._sessions() as session:
            rows = (await session.execute(_OPEN_COUNTS)).all()
        counts = {(r.client_id, r.priority, r.status): r.open for r in rows}
        for labels in self._shown - counts.keys():
            self.gauge.labels(*labels).set(0)
        for labels, count in counts.items():
            self.gauge.labels(*labels).set(count)
        self._shown |= counts.keys()
        return False
