"""Records the services dead-lettered, from their `/metrics`: an accepted body that ends in a
dead-letter topic is an alert lost to its sender, which the fuzz suite counts as a failure."""

from __future__ import annotations

import httpx

from deploy.local.supervise import SERVICES

METRIC = "escalator_consumer_dead_lettered_total"


async def dead_lettered(client: httpx.AsyncClient) -> float:
    """The records every service dead-lettered since it started (restarts are flagged apart)."""
    total = 0.0
    for _, port in SERVICES.values():
        total += counted((await client.get(f"http://127.0.0.1:{port}/metrics", timeout=5)).text)
    return total


def counted(exposition: str) -> float:
    """The sum of the dead-letter counter's samples in a Prometheus text exposition."""
    return sum(
        float(line.rsplit(" ", 1)[1])
        for line in exposition.splitlines()
        if line.startswith((METRIC + "{", METRIC + " "))
    )
