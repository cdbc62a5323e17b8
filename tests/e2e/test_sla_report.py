"""`GET /v1/reports/sla` after real clocks were met and missed, in JSON and CSV."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime, timedelta
from statistics import mean
from typing import Any

import httpx
import pytest
import yaml

from tests.e2e.conftest import RunningSystem
from tests.e2e.sla_clock_api import (
    find_clock,
    sla_report,
    staff_post,
    wait_for_clock,
    wait_for_summary,
)
from tests.harness.environment import REPO

pytestmark = pytest.mark.e2e

RESPONSE = {"P1": "4s", "P2": "4s", "P3": "4s", "P4": "8s", "P5": "8h"}
# Initech's tickets come only from this module's fixture, so its figures are the fixture's alone.
INITECH = {"id": "initech-monitoring", "type": "generic", "token": "dev-token-initech-monitoring"}
ANSWERED = ("answered", "answered too")
MISSED = ("ignored", "answered late")


@pytest.fixture(scope="module")
def config_overrides() -> dict[str, Any]:
    """Short response targets; an integration for Initech."""
    example = yaml.safe_load((REPO / "deploy/config/example.yaml").read_text())
    return {
        "sla_policies": [
            {"id": "standard", "response": RESPONSE},
            {"id": "premium", "response": RESPONSE},
        ],
        "integrations": [*example["integrations"], {**INITECH, "client": "initech"}],
    }


def _initech_alert(system: RunningSystem, title: str) -> str:
    with system.intake as client:
        response = client.post(
            f"/v1/webhooks/{INITECH['id']}",
            json={"title": title, "severity": "minor"},
            headers={"Authorization": f"Bearer {INITECH['token']}"},
        )
    assert response.status_code == 202, response.text
    ticket_id: str = response.json()["ticket_id"]
    return ticket_id


@pytest.fixture(scope="module")
def initech_tickets(system: RunningSystem) -> dict[str, str]:
    """Four P3 tickets: two acknowledged in time (met), one never acknowledged and one
    acknowledged after its breach (both missed)."""
    tickets = {
        name: _initech_alert(system, f"Payroll export failed ({name})")
        for name in (*ANSWERED, *MISSED)
    }
    for name in ANSWERED:
        wait_for_clock(system, tickets[name], "response")
        staff_post(system, f"/v1/tickets/{tickets[name]}/acknowledge")
    for name in MISSED:
        wait_for_summary(system, tickets[name], "SlaBreached", "response SLA breached", within=15)
    staff_post(system, f"/v1/tickets/{tickets['answered late']}/acknowledge")
    for name in (*ANSWERED, "answered late"):
        wait_for_clock(system, tickets[name], "response", state="fulfilled")
    return tickets


def _query(**extra: str) -> dict[str, str]:
    today = datetime.now(UTC).date()
    return {
        "from": today.isoformat(),
        "to": (today + timedelta(days=1)).isoformat(),
        "period": "month",
        "client": "initech",
        **extra,
    }


def test_the_report_counts_met_missed_and_open_clocks_in_json_and_csv(
    system: RunningSystem, initech_tickets: dict[str, str]
) -> None:
    report = sla_report(system, **_query())
    assert report.status_code == 200, report.text
    rows = report.json()["rows"]
    by_metric = {row["metric"]: row for row in rows}
    assert set(by_metric) == {"response", "resolution"}
    today = datetime.now(UTC).date()
    month = date(today.year, today.month, 1).isoformat()
    for row in rows:
        assert (row["period"], row["client"], row["priority"]) == (month, "initech", "P3")
    response, resolution = by_metric["response"], by_metric["resolution"]
    assert (response["met"], response["missed"], response["open"]) == (2, 2, 0)
    assert response["attainment_percent"] == 50.0
    assert (resolution["met"], resolution["missed"], resolution["open"]) == (0, 0, 4)
    assert resolution["attainment_percent"] is None
    assert resolution["average_elapsed_seconds"] is None

    as_csv = sla_report(system, **_query(format="csv"))
    assert as_csv.status_code == 200, as_csv.text
    assert as_csv.headers["content-type"].startswith("text/csv")
    header, *lines = list(csv.reader(io.StringIO(as_csv.text)))
    assert header == list(rows[0])
    as_text = [["" if value is None else str(value) for value in row.values()] for row in rows]
    assert lines == as_text


def test_the_report_averages_the_business_time_of_met_clocks(
    system: RunningSystem, initech_tickets: dict[str, str]
) -> None:
    """docs/sla.md: "... attainment % (met / (met + missed)) and the average business seconds
    of met clocks"."""
    elapsed = []
    for name in ANSWERED:
        clock = find_clock(system, initech_tickets[name], "response")
        assert clock is not None
        elapsed.append(clock["elapsed_seconds"])
    rows = sla_report(system, **_query()).json()["rows"]
    [response] = [row for row in rows if row["metric"] == "response"]
    assert response["average_elapsed_seconds"] == pytest.approx(mean(elapsed), abs=0.051)


def test_the_report_refuses_an_empty_range_and_callers_without_a_staff_token(
    system: RunningSystem,
) -> None:
    empty = sla_report(system, **{"from": "2026-07-02", "to": "2026-07-01"})
    assert empty.status_code == 422
    assert empty.json()["error"] == "empty_range"
    anonymous = httpx.get(
        f"{system.services['sla-timer'].url}/v1/reports/sla",
        params={"from": "2026-07-01", "to": "2026-07-02"},
    )
    assert anonymous.status_code == 401
