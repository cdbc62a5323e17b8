"""kill -9 of the router while alerts flow: after a restart every accepted alert is routed once."""

from __future__ import annotations

import asyncio
import threading
import time
from collections import Counter

import asyncpg
import pytest

from escalator_shared.events import Envelope
from tests.e2e.conftest import RunningSystem
from tests.harness.isolation import asyncpg_dsn
from tests.harness.kafka_reader import read_topic

pytestmark = pytest.mark.e2e

ALERTS = 300


def _post_alerts(system: RunningSystem, accepted: list[str], count: int) -> None:
    for n in range(count):
        # P5 (info) keeps the response target long, so no breach mail floods the sink.
        accepted.append(
            system.post_alert(
                {"title": f"Load alert {n}", "severity": "info", "dedup_key": f"load-{n}"}
            )
        )


async def _routings_per_ticket(system: RunningSystem) -> Counter[str]:
    conn = await asyncpg.connect(asyncpg_dsn(system.database_url))
    try:
        rows = await conn.fetch(
            f'SELECT ticket_id FROM "{system.namespace.schema("router")}".routings'  # noqa: S608 - our own schema name
        )
    finally:
        await conn.close()
    return Counter(r["ticket_id"] for r in rows)


def test_every_accepted_alert_is_routed_exactly_once_across_a_router_kill(
    system: RunningSystem,
) -> None:
    router = system.services["router"]
    accepted: list[str] = []
    sender = threading.Thread(target=_post_alerts, args=(system, accepted, ALERTS))
    sender.start()
    while len(accepted) < ALERTS // 3:
        time.sleep(0.01)
    router.kill()
    killed_after = len(accepted)
    time.sleep(1)
    router.start()
    sender.join()
    router.wait_ready()
    assert len(accepted) == ALERTS
    assert killed_after < ALERTS, "the kill must happen while alerts still flow"

    deadline = time.monotonic() + 60
    routed: Counter[str] = Counter()
    while time.monotonic() < deadline:
        routed = asyncio.run(_routings_per_ticket(system))
        if set(accepted) <= set(routed):
            break
        time.sleep(0.5)
    missing = set(accepted) - set(routed)
    assert not missing, f"{len(missing)} accepted alerts were never routed"
    assert all(routed[t] == 1 for t in accepted)

    # On the bus, each ticket has one TicketRouted event id (a relay retry may repeat a message,
    # never mint a second decision).
    records = asyncio.run(
        read_topic(
            system.kafka_bootstrap_servers,
            system.namespace.topic_prefix + "routing",
            expected=ALERTS + 10,
            within=20,
        )
    )
    ids_per_ticket: dict[str, set[str]] = {}
    for record in records:
        envelope = Envelope.from_bytes(record.value)
        if envelope.event_type == "TicketRouted" and envelope.ticket_id in set(accepted):
            ids_per_ticket.setdefault(envelope.ticket_id, set()).add(envelope.event_id)
    assert set(ids_per_ticket) == set(accepted)
    assert all(len(ids) == 1 for ids in ids_per_ticket.values())
