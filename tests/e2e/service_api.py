"""One request to one of the running services, as a given caller."""

from __future__ import annotations

from typing import Any

import httpx

from tests.e2e.conftest import RunningSystem
from tests.harness.waiting import eventually


def call(
    system: RunningSystem, service: str, method: str, path: str, who: dict[str, str], **kw: Any
) -> httpx.Response:
    """The service's answer to the request, with `who`'s headers (e.g. a bearer token)."""
    with httpx.Client(base_url=system.services[service].url, timeout=10) as client:
        return client.request(method, path, headers=who, **kw)


# One read of each service that any signed-in staff member may make.
PROBES = {
    "intake": "/v1/tickets?limit=1",
    "router": "/v1/clients/globex/escalation-diagram",
    "sla-timer": "/v1/reports/sla?from=2026-01-01&to=2026-01-02",
    "notifier": "/v1/deliveries?ticket_id=none",
    "vendor-gateway": "/v1/vendor-cases?ticket_id=none",
}


def statuses(system: RunningSystem, who: dict[str, str]) -> dict[str, int]:
    """Each service's status for its probe, as `who`."""
    return {s: call(system, s, "GET", p, who).status_code for s, p in PROBES.items()}


def answered_everywhere(system: RunningSystem, who: dict[str, str], status: int, what: str) -> None:
    """Wait until every service answers `who` with `status` (tokens travel in moments)."""
    eventually(
        lambda: set(statuses(system, who).values()) == {status} or None,
        20,
        f"not every service answered {status}: {what}",
        detail=lambda: str(statuses(system, who)),
    )
