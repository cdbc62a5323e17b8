"""A ticket's opening and its routing arrive on two topics and are handled concurrently: whichever
commits second must see the first, or the tier's OLA clock never starts."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from escalator_shared.db.engine import build_session_factory
from escalator_shared.events import Priority
from escalator_sla_timer import ticket_facts

pytestmark = pytest.mark.integration

TICKET = "ticket-race"
# Long enough for a statement that is not blocked to finish; a blocked one stays pending.
SETTLE = 0.3


def _opened() -> dict[str, Any]:
    return {
        "ticket_id": TICKET,
        "client_id": "acme",
        "source": "generic",
        "ticket_type": "incident",
        "priority": "P3",
        "opened_at": datetime(2026, 12, 2, 9, tzinfo=UTC),
        "status": "new",
        "correlation_id": TICKET,
        "drill": False,
    }


async def _route(engine: AsyncEngine) -> tuple[Any, Any]:
    async with build_session_factory(engine)() as session, session.begin():
        return await ticket_facts.record_routed(session, TICKET, Priority.P2, "L1", "rule")


async def test_a_routing_handled_while_the_opening_is_uncommitted_sees_the_opening(
    timer_engine: AsyncEngine,
) -> None:
    async with build_session_factory(timer_engine)() as opening:
        async with opening.begin():
            rows = await ticket_facts.record_opened(opening, [_opened()])
            assert rows[TICKET].tier is None
            routing = asyncio.create_task(_route(timer_engine))
            await asyncio.sleep(SETTLE)
            assert not routing.done(), "the routing did not wait for the opening"
        before, after = await asyncio.wait_for(routing, 10)
    # The opening committed without a tier; the routing knows the ticket was untiered before it.
    assert before is not None
    assert before.tier is None
    assert after is not None
    assert after.tier == "L1"
    assert after.facts.priority is Priority.P2


async def test_an_opening_handled_while_the_routing_is_uncommitted_sees_the_routing(
    timer_engine: AsyncEngine,
) -> None:
    sessions = build_session_factory(timer_engine)

    async def open_ticket() -> Any:
        async with sessions() as session, session.begin():
            return (await ticket_facts.record_opened(session, [_opened()]))[TICKET]

    async with sessions() as routing, routing.begin():
        before, after = await ticket_facts.record_routed(routing, TICKET, Priority.P2, "L1", "rule")
        assert (before, after) == (None, None)
        opening = asyncio.create_task(open_ticket())
        await asyncio.sleep(SETTLE)
        assert not opening.done(), "the opening did not wait for the routing"
    row = await asyncio.wait_for(opening, 10)
    # The opening handler reads the routing and starts the tier's OLA clock itself.
    known = ticket_facts.known(row)
    assert known.tier == "L1"
    assert known.facts.priority is Priority.P2
