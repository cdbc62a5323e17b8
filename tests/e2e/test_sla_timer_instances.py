"""Two SLA timer processes in one consumer group share the clocks: every breach fires exactly once,
and after kill -9 of one the other fires what was left."""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from collections.abc import Iterator
from typing import Any

import pytest
import yaml
from aiokafka.admin import AIOKafkaAdminClient
from aiokafka.partitioner import murmur2

from tests.e2e.conftest import RunningSystem
from tests.e2e.service_metrics import metric_sum
from tests.e2e.sla_bus import sla_stream
from tests.e2e.sla_clock_api import summaries, wait_for_summary
from tests.harness.environment import REPO
from tests.harness.processes import ServiceProcess
from tests.harness.waiting import eventually

pytestmark = pytest.mark.e2e

PARTITIONS = 3  # ESCALATOR_TOPIC_PARTITIONS of the test system
# P3 (severity minor) breaches while both timers run; P4 (warning) after one was killed.
RESPONSE = {"P1": "4s", "P2": "4s", "P3": "4s", "P4": "12s", "P5": "8h"}


@pytest.fixture(scope="module")
def config_overrides() -> dict[str, Any]:
    """Short response targets for both example policies; the example's integrations only (no
    heartbeat integration whose silence would open a ticket of its own)."""
    example = yaml.safe_load((REPO / "deploy/config/example.yaml").read_text())
    return {
        "sla_policies": [
            {"id": "standard", "response": RESPONSE},
            {"id": "premium", "response": RESPONSE},
        ],
        "integrations": example["integrations"],
    }


@pytest.fixture(scope="module")
def second_timer(system: RunningSystem) -> Iterator[ServiceProcess]:
    """Another sla-timer process with the first one's settings (schema, topics, group)."""
    first = system.services["sla-timer"]
    second = ServiceProcess("sla-timer", dict(first.env), first.log_dir / "second-sla-timer")
    second.log_dir.mkdir(parents=True, exist_ok=True)
    try:
        second.start()
        second.wait_ready()
        yield second
    finally:
        second.stop()


async def _group_members(bootstrap: str, group: str) -> int:
    """Members of a group that finished its rebalance (0 while it rebalances)."""
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        [response] = await admin.describe_consumer_groups([group])
    finally:
        await admin.close()
    # DescribeGroups: (error_code, group, state, protocol_type, protocol, members, ...)
    described = response.groups[0]
    return len(described[5]) if described[2] == "Stable" else 0


def _partition(ticket_id: str) -> int:
    """The tickets-topic partition of a ticket (Kafka's default partitioner on its key)."""
    return (int(murmur2(ticket_id.encode())) & 0x7FFFFFFF) % PARTITIONS


def _tickets_on_every_partition(system: RunningSystem, severity: str, per: int = 2) -> list[str]:
    """Open tickets until each partition (so each timer's share) has `per` of them."""
    tickets: list[str] = []
    while min(Counter(_partition(t) for t in tickets).get(p, 0) for p in range(PARTITIONS)) < per:
        assert len(tickets) < 40, "ticket ids never covered every partition"
        n = len(tickets)
        alert = {"title": f"Timer share {severity} {n}", "severity": severity}
        tickets.append(system.post_alert(alert))
    return tickets


def _breaches_fired(timer: ServiceProcess, priority: str) -> float:
    """The timer's own count of response breaches at `priority`."""
    return metric_sum(timer, "escalator_sla_breaches_total", metric="response", priority=priority)


def test_two_timers_fire_each_breach_once_and_a_survivor_takes_over_after_kill_9(
    system: RunningSystem, second_timer: ServiceProcess
) -> None:
    first = system.services["sla-timer"]
    group = f"{system.namespace.topic_prefix}sla-timer.tickets"
    eventually(
        lambda: asyncio.run(_group_members(system.kafka_bootstrap_servers, group)) == 2,
        30,
        "the second timer never joined the tickets group",
    )
    soon = _tickets_on_every_partition(system, "minor")
    later = _tickets_on_every_partition(system, "warning")

    for ticket in soon:
        wait_for_summary(system, ticket, "SlaBreached", "response SLA breached", within=20)
    fired = {"first": _breaches_fired(first, "P3"), "second": _breaches_fired(second_timer, "P3")}
    assert fired["first"] > 0, fired
    assert fired["second"] > 0, fired
    assert fired["first"] + fired["second"] == len(soon)
    assert not [t for t in later if summaries(system, t, "SlaBreached")], "killed too late"

    second_timer.kill()
    for ticket in later:
        wait_for_summary(system, ticket, "SlaBreached", "response SLA breached", within=45)
    assert _breaches_fired(first, "P4") == len(later)

    time.sleep(1.5)  # time for any second firing to reach the topic
    ours = set(soon) | set(later)
    breaches = [e for e in sla_stream(system, "SlaBreached") if e.ticket_id in ours]
    assert Counter(e.ticket_id for e in breaches) == dict.fromkeys(ours, 1)
    assert {e.payload["metric"] for e in breaches} == {"response"}
    assert len({e.payload["clock_id"] for e in breaches}) == len(ours)
