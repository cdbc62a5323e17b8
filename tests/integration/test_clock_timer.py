"""The SLA timer's durable timer on real PostgreSQL: sharded, exactly once, stale-safe."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from prometheus_client import CollectorRegistry
from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncEngine

from escalator_shared.config import load_config
from escalator_shared.db.engine import build_session_factory
from escalator_shared.db.tables import outbox
from escalator_shared.db.unit_of_work import UnitOfWork
from escalator_shared.events import Envelope, Event, Priority, Topics
from escalator_sla_timer.clock_keeper import ClockKeeper
from escalator_sla_timer.clock_rows import shard_of
from escalator_sla_timer.clock_timer import ClockTimer, Ownership
from escalator_sla_timer.domain.clock import Alerting
from escalator_sla_timer.domain.plans import CalendarBook, ClockPlan, TicketFacts
from escalator_sla_timer.sla_metrics import SlaMetrics
from escalator_sla_timer.tables import clocks
from escalator_sla_timer.ticket_facts import KnownTicket
from tests.harness.isolation import Namespace

pytestmark = pytest.mark.integration

CONFIG = load_config(Path(__file__).parents[2] / "deploy" / "config" / "example.yaml")
NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
PARTITIONS = 4


class _Pieces:
    def __init__(self, engine: AsyncEngine, namespace: Namespace) -> None:
        self.sessions = build_session_factory(engine)
        self.topics = Topics(namespace.topic_prefix)
        self.keeper = ClockKeeper(CalendarBook(CONFIG), SlaMetrics.create(CollectorRegistry()))

    def unit_of_work(self) -> UnitOfWork:
        return UnitOfWork(self.sessions, self.topics, "sla-timer")

    def timer(self, ownership: Ownership, now: datetime = NOW) -> ClockTimer:
        return ClockTimer(
            self.unit_of_work,
            self.keeper,
            ownership,
            poll_seconds=0.05,
            batch_size=50,
            now=lambda: now,
        )

    async def start_clocks(self, count: int, target: timedelta, started: datetime) -> list[str]:
        plan = ClockPlan("response", "standard", "24x7", target, Alerting(warn_at=()))
        made = [
            self.keeper.new(
                plan,
                KnownTicket(
                    f"ticket-{i}",
                    TicketFacts("acme", Priority.P1, "incident", "generic"),
                    tier=None,
                    status="new",
                    correlation_id=f"ticket-{i}",
                    drill=False,
                ),
                started,
            )
            for i in range(count)
        ]
        async with self.unit_of_work() as uow:
            await self.keeper.insert(uow, made)
        return [m.id for m in made]

    async def breaches(self) -> int:
        """Events in the outbox: these clocks have no warnings, so each is a breach."""
        async with self.sessions() as session:
            query = select(func.count()).select_from(outbox)
            return int((await session.execute(query)).scalar_one())


def _owning(*partitions: int) -> Ownership:
    return lambda: (frozenset(partitions), PARTITIONS)


async def _fire_until_quiet(timer: ClockTimer) -> int:
    fired = 0
    while (batch := await timer.fire_due()) > 0:
        fired += batch
    return fired


async def test_each_instance_fires_only_its_shards_and_together_they_fire_all(
    timer_engine: AsyncEngine, namespace: Namespace
) -> None:
    pieces = _Pieces(timer_engine, namespace)
    await pieces.start_clocks(120, timedelta(minutes=15), NOW - timedelta(hours=1))
    first = await _fire_until_quiet(pieces.timer(_owning(0, 1)))
    expected_first = sum(1 for i in range(120) if shard_of(f"ticket-{i}") % PARTITIONS in (0, 1))
    assert first == expected_first
    assert 0 < first < 120
    second = await _fire_until_quiet(pieces.timer(_owning(2, 3)))
    assert first + second == 120
    assert await pieces.breaches() == 120


async def test_overlapping_owners_during_a_rebalance_never_fire_twice(
    timer_engine: AsyncEngine, namespace: Namespace
) -> None:
    pieces = _Pieces(timer_engine, namespace)
    await pieces.start_clocks(300, timedelta(minutes=15), NOW - timedelta(hours=1))
    everything = _owning(0, 1, 2, 3)
    timers = [pieces.timer(everything) for _ in range(4)]
    await asyncio.gather(*(_fire_until_quiet(t) for t in timers))
    assert await pieces.breaches() == 300


async def test_a_row_held_by_a_dying_instance_is_fired_once_after_its_rollback(
    timer_engine: AsyncEngine, namespace: Namespace
) -> None:
    pieces = _Pieces(timer_engine, namespace)
    (clock_id,) = await pieces.start_clocks(1, timedelta(minutes=15), NOW - timedelta(hours=1))
    everything = _owning(0, 1, 2, 3)
    async with timer_engine.connect() as dying:
        transaction = await dying.begin()
        # Another instance is mid-fire: it holds the row's lock and has not committed.
        await dying.execute(select(clocks.c.id).where(clocks.c.id == clock_id).with_for_update())
        assert await pieces.timer(everything).fire_due() == 0  # skipped, not waited for
        await transaction.rollback()  # the instance dies before its commit
    assert await pieces.timer(everything).fire_due() == 1
    assert await pieces.timer(everything).fire_due() == 0
    assert await pieces.breaches() == 1


async def test_a_clock_stopped_or_paused_since_scheduling_does_not_fire(
    timer_engine: AsyncEngine, namespace: Namespace
) -> None:
    pieces = _Pieces(timer_engine, namespace)
    ids = await pieces.start_clocks(2, timedelta(minutes=15), NOW - timedelta(hours=1))
    async with pieces.unit_of_work() as uow:
        stale = await pieces.keeper.load(uow.session, "ticket-0")
        await pieces.keeper.pause(uow, _discard, stale[0], "awaiting_customer", NOW)
        await uow.session.execute(
            update(clocks).where(clocks.c.id == ids[1]).values(fire_at=NOW + timedelta(hours=2))
        )
    assert await pieces.timer(_owning(0, 1, 2, 3)).fire_due() == 0
    assert await pieces.breaches() == 0


async def _discard(_event: Event) -> Envelope:
    return Envelope.wrap(_event, ticket_id="t", client_id="c", producer="tests")
