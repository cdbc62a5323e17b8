"""aiokafka's repeated complaints during a broker outage pass once per interval, saying how many
were held back; other loggers and other messages are untouched."""

from __future__ import annotations

import logging
from collections.abc import Iterator

import pytest

from escalator_shared.observability.log_repeats import RepeatFilter


class _Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def logged() -> Iterator[tuple[list[str], _Clock]]:
    clock, lines = _Clock(), list[str]()

    class _Keep(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            lines.append(f"{record.name}: {record.getMessage()}")

    handler = _Keep()
    handler.addFilter(RepeatFilter("aiokafka", interval=30, clock=clock))
    for name in ("aiokafka", "aiokafka.consumer.fetcher", "escalator_shared.outages"):
        logger = logging.getLogger(name)
        logger.addHandler(handler)
        logger.propagate = False
    yield lines, clock
    for name in ("aiokafka", "aiokafka.consumer.fetcher", "escalator_shared.outages"):
        logger = logging.getLogger(name)
        logger.removeHandler(handler)
        logger.propagate = True


def test_a_repeated_complaint_passes_once_per_interval_with_the_count_held_back(
    logged: tuple[list[str], _Clock],
) -> None:
    lines, clock = logged
    kafka = logging.getLogger("aiokafka")
    for node in range(500):
        kafka.error("Unable connect to node with id %s: refused", node % 2)
        clock.now += 0.05  # 500 in 25 s
    kafka.error("Unable to update metadata from [%s]", 1)
    clock.now += 10  # 35 s after the first
    kafka.error("Unable connect to node with id %s: refused", 1)
    assert lines == [
        "aiokafka: Unable connect to node with id 0: refused",
        "aiokafka: Unable to update metadata from [1]",
        "aiokafka: Unable connect to node with id 1: refused (499 more like it in the last 30 s)",
    ]


def test_other_loggers_are_untouched(logged: tuple[list[str], _Clock]) -> None:
    lines, _ = logged
    for _ in range(3):
        logging.getLogger("escalator_shared.outages").warning("waiting for the broker")
        logging.getLogger("aiokafka.consumer.fetcher").error("Failed fetch messages")
    assert lines.count("escalator_shared.outages: waiting for the broker") == 3
    assert lines.count("aiokafka.consumer.fetcher: Failed fetch messages") == 1
