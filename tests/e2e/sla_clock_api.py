"""The SLA timer's clock and report endpoints as staff call them, and waiting on what they show."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import httpx

from tests.e2e.conftest import STAFF_TOKEN, RunningSystem
from tests.harness.waiting import eventually

TECHNICIAN = {"Authorization": f"Bearer {STAFF_TOKEN}"}
MANAGER = {"Authorization": "Bearer dev-staff-token-carol"}

# One clock as `GET /v1/tickets/{id}/clocks` shows it, plus the view's `as_of` (when the figures
# were taken).
Clock = dict[str, Any]


def at(value: str) -> datetime:
    """An instant as the APIs write it."""
    return datetime.fromisoformat(value)


def seconds_between(start: str, end: str) -> float:
    """Wall-clock seconds from one instant the APIs wrote to another."""
    return (at(end) - at(start)).total_seconds()


def sla_timer(system: RunningSystem) -> httpx.Client:
    """A client for the SLA timer's API."""
    return httpx.Client(base_url=system.services["sla-timer"].url, timeout=10)


def ticket_clocks(system: RunningSystem, ticket_id: str) -> list[Clock]:
    """Every clock of the ticket (none while the timer has not started any)."""
    with sla_timer(system) as client:
        response = client.get(f"/v1/tickets/{ticket_id}/clocks", headers=TECHNICIAN)
    if response.status_code == 404:
        return []
    assert response.status_code == 200, response.text
    view: dict[str, Any] = response.json()
    return [{**clock, "as_of": view["as_of"]} for clock in view["clocks"]]


def find_clock(system: RunningSystem, ticket_id: str, metric: str, cycle: int = 0) -> Clock | None:
    """The ticket's clock for `metric` and `cycle`, if it exists."""
    return next(
        (
            c
            for c in ticket_clocks(system, ticket_id)
            if c["metric"] == metric and c["cycle"] == cycle
        ),
        None,
    )


def wait_for_clock(
    system: RunningSystem,
    ticket_id: str,
    metric: str,
    *,
    state: str = "running",
    cycle: int = 0,
    within: float = 15.0,
) -> Clock:
    """Poll until the ticket's `metric` clock of `cycle` is in `state`."""

    def in_state() -> Clock | None:
        clock = find_clock(system, ticket_id, metric, cycle)
        return clock if clock is not None and clock["state"] == state else None

    return eventually(
        in_state,
        within,
        f"ticket {ticket_id} showed no {state} {metric} clock (cycle {cycle})",
        detail=lambda: str(ticket_clocks(system, ticket_id)),
    )


def timeline(system: RunningSystem, ticket_id: str) -> list[dict[str, Any]]:
    """The ticket's timeline as intake shows it."""
    view = system.ticket(ticket_id)
    assert view is not None, f"no ticket {ticket_id}"
    entries: list[dict[str, Any]] = view["timeline"]
    return entries


def summaries(system: RunningSystem, ticket_id: str, event: str) -> list[str]:
    """The timeline lines of one event type."""
    return [e["summary"] for e in timeline(system, ticket_id) if e["event"] == event]


def wait_for_summary(
    system: RunningSystem, ticket_id: str, event: str, contains: str, within: float = 15.0
) -> str:
    """Poll until the timeline has an `event` line containing `contains`; that line.

    The ticket may not exist yet when polling starts (an alert just posted is opened by intake's
    consumer moments later): that counts as not there yet, not as a failure.
    """

    def lines() -> list[dict[str, Any]]:
        view = system.ticket(ticket_id)
        return [] if view is None else list(view["timeline"])

    found: str = eventually(
        lambda: next(
            (e["summary"] for e in lines() if e["event"] == event and contains in e["summary"]),
            None,
        ),
        within,
        f"ticket {ticket_id} showed no {event} with {contains!r}",
        detail=lambda: "\n".join(e["summary"] for e in lines()) or "(no ticket yet)",
    )
    return found


def put_due(
    system: RunningSystem,
    ticket_id: str,
    clock_id: str,
    body: object,
    headers: dict[str, str] = MANAGER,
) -> httpx.Response:
    """`PUT /v1/tickets/{id}/clocks/{clock_id}/due` with a JSON body."""
    with sla_timer(system) as client:
        return client.put(
            f"/v1/tickets/{ticket_id}/clocks/{clock_id}/due", json=body, headers=headers
        )


def sla_report(system: RunningSystem, **params: str) -> httpx.Response:
    """`GET /v1/reports/sla` with these query parameters."""
    with sla_timer(system) as client:
        return client.get("/v1/reports/sla", params=params, headers=TECHNICIAN)


def staff_post(system: RunningSystem, path: str, **body: Any) -> dict[str, Any]:
    """A technician's command on intake's staff API; the ticket it returns."""
    with system.intake as client:
        response = client.post(path, json=body or None, headers=TECHNICIAN)
    assert response.is_success, response.text
    view: dict[str, Any] = response.json()
    return view


def both_policies(response: dict[str, str], resolution: dict[str, str]) -> dict[str, Any]:
    """Configuration overrides: both example SLA policies with these targets, around the clock."""
    return {
        "sla_policies": [
            {"id": policy, "response": response, "resolution": resolution}
            for policy in ("standard", "premium")
        ]
    }
