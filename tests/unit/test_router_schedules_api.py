"""`GET /v1/schedules` over HTTP on the example configuration: the answer's shape, who may read
it, and the errors for a bad window or an unknown person."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from escalator_router.api.schedules import schedules_router
from escalator_router.domain.directory import Directory
from escalator_shared.http.errors import install_error_handlers
from tests.unit.test_routing_rules import EXAMPLE

ALICE = {"Authorization": "Bearer dev-staff-token-alice"}
GINA = {"Authorization": "Bearer dev-staff-token-gina"}  # a technician for Globex only
DANA = {"Authorization": "Bearer dev-contact-token-dana"}  # ACME's contact
CHRISTMAS_WEEK = {"from": "2026-12-21T09:00:00Z", "days": 7}


@pytest.fixture
async def client() -> AsyncIterator[httpx.AsyncClient]:
    app = FastAPI()
    install_error_handlers(app)
    app.include_router(schedules_router(EXAMPLE, Directory(EXAMPLE)))
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://router") as http:
        yield http


async def schedules(
    client: httpx.AsyncClient, params: dict[str, Any], who: dict[str, str] = ALICE
) -> dict[str, Any]:
    answer = await client.get("/v1/schedules", params=params, headers=who)
    assert answer.status_code == 200, answer.text
    body: dict[str, Any] = answer.json()
    return body


async def test_the_answer_lists_every_schedule_over_the_window(client: httpx.AsyncClient) -> None:
    body = await schedules(client, CHRISTMAS_WEEK)
    assert body["from"] == "2026-12-21T09:00:00+00:00"
    assert body["until"] == "2026-12-28T09:00:00+00:00"
    assert set(body) == {"as_of", "from", "until", "schedules"}
    helpdesk, l2, l3 = body["schedules"]
    assert set(helpdesk) == {
        *("id", "name", "time_zone", "teams", "now", "next"),
        *("shifts", "layers", "overrides"),
    }
    assert (helpdesk["id"], helpdesk["name"], helpdesk["time_zone"]) == (
        "helpdesk-oncall",
        "Helpdesk on call",
        "Europe/London",
    )
    assert helpdesk["teams"] == ["helpdesk"]
    assert helpdesk["shifts"] == [
        _shift("alice", "2026-12-21T09:00", "2026-12-24T09:00", "weekly"),
        _shift("dave", "2026-12-24T09:00", "2026-12-27T09:00", "override"),
        _shift("alice", "2026-12-27T09:00", "2026-12-28T09:00", "weekly"),
    ]
    assert helpdesk["layers"] == [
        {
            "index": 0,
            "name": "weekly",
            "shifts": [_shift("alice", "2026-12-21T09:00", "2026-12-28T09:00", "weekly")],
        }
    ]
    assert helpdesk["overrides"] == [
        {
            "person": "dave",
            "start": "2026-12-24T09:00:00+00:00",
            "end": "2026-12-27T09:00:00+00:00",
            "note": "Christmas swap",
        }
    ]
    assert set(helpdesk["now"]) == {"person", "backup", "source", "until"}
    assert l2["shifts"] == [_shift("bob", "2026-12-21T09:00", "2026-12-28T09:00", "weekly")]
    assert l3["next"] is None  # Erin alone: nobody else ever takes over


async def test_the_window_defaults_to_two_weeks_from_now(client: httpx.AsyncClient) -> None:
    body = await schedules(client, {})
    assert body["from"] == body["as_of"]
    helpdesk = body["schedules"][0]
    assert helpdesk["now"]["person"] in {"alice", "dave"}
    assert helpdesk["next"]["person"] in {"alice", "dave"} - {helpdesk["now"]["person"]}


async def test_a_person_sees_only_their_shifts(client: httpx.AsyncClient) -> None:
    body = await schedules(client, {**CHRISTMAS_WEEK, "person": "dave"})
    helpdesk, l2, l3 = body["schedules"]
    assert [s["person"] for s in helpdesk["shifts"]] == ["dave"]
    assert helpdesk["layers"][0]["shifts"] == []  # the rotation gives Dave the following week
    assert (l2["shifts"], l3["shifts"]) == ([], [])


async def test_a_technician_for_one_client_sees_every_schedule(client: httpx.AsyncClient) -> None:
    body = await schedules(client, CHRISTMAS_WEEK, GINA)
    assert [s["id"] for s in body["schedules"]] == ["helpdesk-oncall", "l2-oncall", "l3-oncall"]


@pytest.mark.parametrize(
    ("params", "who", "status", "error"),
    [
        (CHRISTMAS_WEEK, DANA, 403, "forbidden"),
        (CHRISTMAS_WEEK, {}, 401, "missing_token"),
        ({"from": "2026-12-21T09:00:00"}, ALICE, 422, "naive_time"),
        ({"from": "next tuesday"}, ALICE, 422, "invalid_request"),
        ({"days": 0}, ALICE, 422, "invalid_days"),
        ({"days": 32}, ALICE, 422, "invalid_days"),
        ({"person": "nobody"}, ALICE, 404, "unknown_person"),
    ],
)
async def test_refusals_name_what_is_wrong(
    client: httpx.AsyncClient, params: dict[str, Any], who: dict[str, str], status: int, error: str
) -> None:
    answer = await client.get("/v1/schedules", params=params, headers=who)
    assert answer.status_code == status, answer.text
    assert answer.json()["error"] == error
    assert answer.json()["message"]


def _shift(person: str, start: str, end: str, source: str) -> dict[str, Any]:
    """A shift as the answer gives it; times are UTC minutes."""
    start, end = f"{start}:00+00:00", f"{end}:00+00:00"
    return {"person": person, "start": start, "end": end, "source": source}
