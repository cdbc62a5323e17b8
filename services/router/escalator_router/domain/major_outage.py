"""Major outages: a flagged service down, or several clients hit by one service at once."""

from __future__ import annotations

from dataclasses import dataclass

from escalator_shared.config import MajorOutage
from escalator_shared.events import Priority


@dataclass(frozen=True)
class OutageWatch:
    """How one ticket takes part: the service it counts under, and whether that is flagged."""

    service: str
    flagged: bool


ANY_SERVICE = "*"


def watch(
    policy: MajorOutage | None, priority: Priority, labels: dict[str, str]
) -> OutageWatch | None:
    """Whether the ticket counts toward a major outage, and under which service."""
    if policy is None or priority not in policy.priorities:
        return None
    if policy.service_label is None:
        return OutageWatch(ANY_SERVICE, flagged=False)
    service = labels.get(policy.service_label)
    if service is None:
        return None
    return OutageWatch(service, flagged=service in policy.flagged_services)


def declared(policy: MajorOutage, taking_part: OutageWatch, distinct_clients: int) -> str | None:
    """Why this is a major outage now (for the page), or None if it is not (yet)."""
    if taking_part.flagged:
        return f"flagged service {taking_part.service} is down"
    if distinct_clients >= policy.distinct_clients:
        where = "" if taking_part.service == ANY_SERVICE else f" on {taking_part.service}"
        minutes = policy.window.total_seconds() / 60
        return f"{distinct_clients} clients hit{where} within {minutes:g} min"
    return None
