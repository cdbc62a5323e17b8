"""`GET /v1/reports/kpis` on the running system: tickets driven through intake, the router and
the SLA timer come out in the reporting read model and its KPIs, in JSON and CSV."""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
import yaml

from tests.e2e.conftest import RunningSystem
from tests.e2e.sla_clock_api import (
    MANAGER,
    TECHNICIAN,
    both_policies,
    seconds_between,
    staff_post,
)
from tests.harness.environment import REPO
from tests.harness.waiting import eventually

pytestmark = pytest.mark.e2e

CONTACT = {"Authorization": "Bearer dev-contact-token-dana"}  # Acme's
# Initech's tickets come only from this module's fixture (Acme has the harness's heartbeats).
INITECH = {"id": "initech-monitoring", "type": "generic", "token": "dev-token-initech-monitoring"}


@pytest.fixture(scope="module")
def config_overrides() -> dict[str, Any]:
    """An integration for Initech; response targets of an hour but for P5 (severity info),
    which breaches in two seconds."""
    example = yaml.safe_load((REPO / "deploy/config/example.yaml").read_text())
    hour = dict.fromkeys(("P1", "P2", "P3", "P4"), "1h")
    return {
        "integrations": [*example["integrations"], {**INITECH, "client": "initech"}],
        **both_policies({**hour, "P5": "2s"}, {**hour, "P5": "8h"}),
    }


def _initech_alert(system: RunningSystem, title: str, severity: str) -> str:
    with system.intake as client:
        response = client.post(
            f"/v1/webhooks/{INITECH['id']}",
            json={"title": title, "severity": severity},
            headers={"Authorization": f"Bearer {INITECH['token']}"},
        )
    assert response.status_code == 202, response.text
    ticket_id: str = response.json()["ticket_id"]
    return ticket_id


def kpi_report(
    system: RunningSystem, params: Mapping[str, str], headers: Mapping[str, str] = TECHNICIAN
) -> httpx.Response:
    """`GET /v1/reports/kpis` on the SLA timer."""
    with httpx.Client(base_url=system.services["sla-timer"].url, timeout=10) as client:
        return client.get("/v1/reports/kpis", params=params, headers=headers)


def _days(client: str | None = "initech") -> dict[str, str]:
    today = datetime.now(UTC).date()
    days = {"from": today.isoformat(), "to": (today + timedelta(days=2)).isoformat()}
    return days if client is None else {**days, "client": client}


@pytest.fixture(scope="module")
def tickets(system: RunningSystem) -> dict[str, dict[str, Any]]:
    """Initech: one acknowledged and resolved at once; one escalated by hand, resolved, reopened
    and resolved again; one left open past its response target. A drill besides, which never
    counts."""
    quick = _initech_alert(system, "Printer offline", "minor")
    escalated = _initech_alert(system, "VPN down for the branch", "major")
    waiting = _initech_alert(system, "Backup job warning", "info")
    with system.intake as client:
        drill = client.post("/v1/drills", json={"client": "initech"}, headers=MANAGER)
    assert drill.status_code == 202, drill.text
    for ticket_id in (quick, escalated, waiting):
        system.wait_for_ticket(ticket_id, until="TicketRouted")
    staff_post(system, f"/v1/tickets/{quick}/acknowledge")
    staff_post(system, f"/v1/tickets/{quick}/resolve")
    staff_post(system, f"/v1/tickets/{escalated}/escalate", reason="customer on the phone")
    system.wait_for_ticket(escalated, until="EscalationRequested")
    staff_post(system, f"/v1/tickets/{escalated}/resolve")
    staff_post(system, f"/v1/tickets/{escalated}/reopen", reason="still down")
    staff_post(system, f"/v1/tickets/{escalated}/resolve")
    views = {"quick": quick, "escalated": escalated, "waiting": waiting}
    return {name: system.wait_for_ticket(t, until="TicketOpened") for name, t in views.items()}


def _settled(system: RunningSystem) -> dict[str, Any]:
    """The report once every fact of the fixture's tickets has been folded in."""

    def complete() -> dict[str, Any] | None:
        response = kpi_report(system, _days())
        assert response.status_code == 200, response.text
        [period] = response.json()["periods"]
        missed = period["attainment"].get("response", {}).get("missed")
        done = period["reopened"]["count"] == 1 and period["escalations_per_tier"] and missed
        return period if done and period["first_contact_resolution"]["of"] == 2 else None

    return eventually(complete, 30, "the KPIs never showed the fixture's tickets")


def test_the_kpis_count_the_tickets_as_they_were_worked(
    system: RunningSystem, tickets: dict[str, dict[str, Any]]
) -> None:
    period = _settled(system)
    assert period["tickets"] == 3  # the drill never counts
    assert period["first_contact_resolution"] == {"count": 1, "of": 2, "percent": 50.0}
    assert period["reopened"] == {"count": 1, "of": 2, "percent": 50.0}
    assert sum(period["escalations_per_tier"].values()) >= 1
    # Resolving fulfils the response clock too: both resolved tickets met it; the open P5 not.
    assert period["attainment"]["response"] == {"met": 2, "missed": 1, "percent": 66.7}
    quick = tickets["quick"]
    view = system.ticket(quick["id"])
    assert view is not None
    [acknowledged] = [e for e in view["timeline"] if e["event"] == "TicketAcknowledged"]
    respond = period["time_to_respond"]
    assert respond["count"] == 1
    expected = seconds_between(quick["opened_at"], acknowledged["at"])
    assert respond["average_seconds"] == pytest.approx(expected, abs=0.1)
    # The open ticket is in the backlog at the end of each day (the drill is not).
    assert [day["open"] for day in period["backlog"]] == [1, 1]


def test_the_csv_holds_the_same_figures_one_measure_a_row(
    system: RunningSystem, tickets: dict[str, dict[str, Any]]
) -> None:
    period = _settled(system)
    response = kpi_report(system, {**_days(), "format": "csv"})
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.text)))
    by_kpi = {(r["kpi"], r["breakdown"]): r for r in rows}
    assert by_kpi[("tickets", "")]["count"] == str(period["tickets"])
    fcr = by_kpi[("first_contact_resolution", "")]
    assert (fcr["count"], fcr["of"], fcr["percent"]) == ("1", "2", "50.0")
    for tier, count in period["escalations_per_tier"].items():
        assert by_kpi[("escalations", tier)]["count"] == str(count)


def test_periods_split_the_range_and_contacts_see_only_their_own_contract(
    system: RunningSystem, tickets: dict[str, dict[str, Any]]
) -> None:
    _settled(system)
    by_day = kpi_report(system, {**_days(), "by": "day", "zone": "Europe/London"}).json()
    assert [p["from"] for p in by_day["periods"]] == [_days()["from"], _shifted(_days()["from"])]
    assert sum(p["tickets"] for p in by_day["periods"]) == 3
    elsewhere = kpi_report(system, _days(), headers=CONTACT).json()["periods"][0]
    assert elsewhere["tickets"] == 0  # Acme's contact asking for Initech

    def same_as_staff() -> dict[str, Any] | None:
        staff = kpi_report(system, _days("acme")).json()["periods"][0]
        contact = kpi_report(system, _days(None), headers=CONTACT).json()["periods"][0]
        return contact if contact["tickets"] == staff["tickets"] else None

    contact = eventually(same_as_staff, 10, "Acme's contact never saw Acme's tickets")
    assert set(contact["attainment"]) <= {"response", "update", "resolution"}


def test_bad_queries_are_refused_with_what_is_wrong(system: RunningSystem) -> None:
    days = _days()
    zone = kpi_report(system, {**days, "zone": "Mars/Olympus_Mons"})
    assert (zone.status_code, zone.json()["error"]) == (422, "unknown_zone")
    assert "Mars/Olympus_Mons" in zone.json()["message"]
    empty = kpi_report(system, {**days, "from": days["to"], "to": days["from"]})
    assert (empty.status_code, empty.json()["error"]) == (422, "empty_range")
    grouping = kpi_report(system, {**days, "by": "fortnight"})
    assert grouping.status_code == 422
    anonymous = httpx.get(f"{system.services['sla-timer'].url}/v1/reports/kpis", params=days)
    assert anonymous.status_code == 401


def _shifted(day: str) -> str:
    return (datetime.fromisoformat(day) + timedelta(days=1)).date().isoformat()
