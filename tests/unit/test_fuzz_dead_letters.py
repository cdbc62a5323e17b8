"""The fuzz suite reads the dead-letter counter out of a real Prometheus exposition."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, generate_latest

from tests.fuzz.dead_letters import counted


def test_the_dead_letters_of_every_group_and_topic_are_summed() -> None:
    registry = CollectorRegistry()
    letters = Counter(
        "escalator_consumer_dead_lettered",
        "Records given up.",
        ["service", "group", "topic"],
        registry=registry,
    )
    assert counted(generate_latest(registry).decode()) == 0
    letters.labels("intake", "intake.alerts", "escalator.alerts").inc(2)
    letters.labels("router", "router.tickets", "escalator.tickets").inc()
    assert counted(generate_latest(registry).decode()) == 3
