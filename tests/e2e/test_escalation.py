"""Escalation on the running system: fast track, climbing, acknowledgement, restart, explain."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import pytest
import yaml

from tests.e2e.conftest import STAFF_TOKEN, RunningSystem
from tests.e2e.service_metrics import metric_sum
from tests.harness.isolation import asyncpg_dsn
from tests.harness.waiting import eventually

pytestmark = pytest.mark.e2e

STEP_WAIT_SECONDS = 3
EXAMPLE = Path(__file__).parents[2] / "deploy/config/example.yaml"
STAFF = {"Authorization": f"Bearer {STAFF_TOKEN}"}


@pytest.fixture(scope="module")
def config_overrides() -> dict[str, Any]:
    """Steps a few seconds apart; response targets long enough that no breach interferes."""
    example = yaml.safe_load(EXAMPLE.read_text())
    for policy in example["sla_policies"]:
        policy["response"] = {"P1": "1h", "P2": "1h", "P3": "1h", "P4": "1h", "P5": "4h"}
    routing = example["routing"]
    routing["rules"].insert(
        0,
        {
            "name": "toner-is-planning",
            "match": {"keywords": ["toner"]},
            "team": "helpdesk",
            "priority": "P5",
        },
    )
    return {
        "sla_policies": example["sla_policies"],
        "routing": routing,
        "major_outage": {
            "distinct_clients": 2,
            "window": "15m",
            "flagged_services": ["core-network"],
            "page": ["tier:executive"],
        },
        "escalation_policies": [
            {
                "id": "standard",
                "steps": [
                    {
                        "name": "L1 on call",
                        "targets": ["assignee"],
                        "escalate_after": STEP_WAIT_SECONDS,
                    },
                    {
                        "name": "L2 on call",
                        "targets": ["team:l2-technical"],
                        "escalate_after": STEP_WAIT_SECONDS,
                    },
                    {"name": "L3 senior", "targets": ["team:l3-senior"]},
                ],
            },
            {
                "id": "p1-fast-track",
                "steps": [
                    {
                        "name": "L2 and L3 at once",
                        "targets": ["team:l2-technical", "team:l3-senior"],
                        "escalate_after": "1h",
                    }
                ],
            },
        ],
    }


async def _fetch(system: RunningSystem, query: str, *args: Any) -> list[asyncpg.Record]:
    conn = await asyncpg.connect(asyncpg_dsn(system.database_url))
    try:
        await conn.execute(f'SET search_path TO "{system.namespace.schema("router")}"')
        return list(await conn.fetch(query, *args))
    finally:
        await conn.close()


def steps_reached(system: RunningSystem, ticket_id: str) -> list[tuple[int, list[str], str]]:
    """(step, people paged, reason) of every step the router recorded, in order."""
    rows = asyncio.run(
        _fetch(
            system,
            "SELECT step, people, reason FROM escalation_steps WHERE ticket_id = $1 ORDER BY id",
            ticket_id,
        )
    )
    return [(r["step"], _json_list(r["people"]), r["reason"]) for r in rows]


def _json_list(value: Any) -> list[str]:
    return list(yaml.safe_load(value)) if isinstance(value, str) else list(value)


def wait_for_steps(
    system: RunningSystem, ticket_id: str, count: int, within: float = 30
) -> list[tuple[int, list[str], str]]:
    return eventually(
        lambda: found if len(found := steps_reached(system, ticket_id)) >= count else None,
        within,
        f"ticket {ticket_id} did not reach {count} escalation steps",
        detail=lambda: str(steps_reached(system, ticket_id)),
    )


def test_a_p1_pages_l2_and_l3_at_once(system: RunningSystem) -> None:
    ticket_id = system.post_alert({"title": "Core router down", "severity": "critical"})
    assert wait_for_steps(system, ticket_id, 1)[0] == (0, ["bob", "erin"], "routed")
    for address in ("bob@msp.example", "erin@msp.example"):
        mail = system.smtp.wait_for(f"Ticket id: {ticket_id}", within=15, to=address)
        assert "Assigned to you: Core router down" in str(mail[0]["Subject"])


def test_an_unacknowledged_p3_climbs_l1_l2_l3_on_schedule(system: RunningSystem) -> None:
    started = time.monotonic()
    ticket_id = system.post_alert({"title": "Printer queue stuck", "severity": "minor"})
    steps = wait_for_steps(system, ticket_id, 3, within=STEP_WAIT_SECONDS * 2 + 20)
    elapsed = time.monotonic() - started
    assert steps == [
        (0, ["alice"], "routed"),
        (1, ["bob"], "not_acknowledged"),
        (2, ["erin"], "not_acknowledged"),
    ]
    assert elapsed >= 2 * STEP_WAIT_SECONDS
    escalated = system.smtp.wait_for("escalated to step 3 (L3 senior)", within=15)
    assert any(m["To"] == "erin@msp.example" for m in escalated)
    view = system.wait_for_ticket(ticket_id, until="EscalationStepReached")
    summaries = [e["summary"] for e in view["timeline"] if e["event"] == "EscalationStepReached"]
    assert summaries[0] == "Escalation step 1 (L1 on call): paged alice (routed)"
    router = system.services["router"]
    reached = "escalator_escalation_steps_total"
    assert metric_sum(router, reached, reason="not_acknowledged", step="2", client="acme") >= 1
    assert metric_sum(router, "escalator_time_to_escalate_seconds_count", step="2") >= 1


def test_acknowledgement_stops_the_chain(system: RunningSystem) -> None:
    ticket_id = system.post_alert({"title": "Laptop will not boot", "severity": "minor"})
    wait_for_steps(system, ticket_id, 1)
    with system.intake as client:
        assert client.post(f"/v1/tickets/{ticket_id}/acknowledge", headers=STAFF).is_success
    view = system.wait_for_ticket(ticket_id, until="EscalationStopped")
    stopped = [e["summary"] for e in view["timeline"] if e["event"] == "EscalationStopped"]
    assert stopped == ["Escalation stopped at step 1: acknowledged by alice"]
    time.sleep(STEP_WAIT_SECONDS * 2 + 1)
    assert [s[0] for s in steps_reached(system, ticket_id)] == [0]


def test_a_manual_escalation_moves_an_acknowledged_ticket_up(system: RunningSystem) -> None:
    ticket_id = system.post_alert({"title": "File share slow", "severity": "minor"})
    wait_for_steps(system, ticket_id, 1)
    with system.intake as client:
        assert client.post(f"/v1/tickets/{ticket_id}/acknowledge", headers=STAFF).is_success
        response = client.post(
            f"/v1/tickets/{ticket_id}/escalate", headers=STAFF, json={"reason": "needs L2"}
        )
        assert response.status_code == 202, response.text
    assert wait_for_steps(system, ticket_id, 2)[1] == (1, ["bob"], "manual")


def test_a_router_restart_mid_chain_neither_skips_nor_repeats_a_step(
    system: RunningSystem,
) -> None:
    router = system.services["router"]
    ticket_id = system.post_alert({"title": "Switch port flapping", "severity": "minor"})
    wait_for_steps(system, ticket_id, 1)
    router.kill()
    time.sleep(STEP_WAIT_SECONDS + 1)  # step 2 falls due while the router is down
    router.start()
    router.wait_ready()
    steps = wait_for_steps(system, ticket_id, 3, within=STEP_WAIT_SECONDS * 2 + 30)
    time.sleep(STEP_WAIT_SECONDS + 1)
    assert [s[0] for s in steps_reached(system, ticket_id)] == [0, 1, 2]
    assert steps[1] == (1, ["bob"], "not_acknowledged")
    pages = system.smtp.matching(f"Ticket id: {ticket_id}", "escalated to step 2")
    assert len(pages) == 1


def _explain(system: RunningSystem, alert: dict[str, Any]) -> dict[str, Any]:
    with httpx.Client(base_url=system.services["router"].url, timeout=10) as client:
        response = client.post("/v1/explain", json={"alert": alert}, headers=STAFF)
    assert response.status_code == 200, response.text
    answer: dict[str, Any] = response.json()
    return answer


def _post(system: RunningSystem, integration: str, token: str, body: dict[str, Any]) -> str:
    with system.intake as client:
        response = client.post(
            f"/v1/webhooks/{integration}", json=body, headers={"Authorization": f"Bearer {token}"}
        )
    assert response.status_code == 202, response.text
    ticket_id: str = response.json()["ticket_id"]
    return ticket_id


SCENARIOS = [
    ("acme", "acme-monitoring", {"title": "Disk 91% full on srv-db", "severity": "minor"}),
    ("acme", "acme-monitoring", {"title": "Site offline", "severity": "critical"}),
    (
        "acme",
        "acme-monitoring",
        {"title": "Veeam backup job failed", "severity": "major", "labels": {"env": "prod"}},
    ),
    ("acme", "acme-monitoring", {"title": "Teams down", "labels": {"service": "m365"}}),
    ("globex", "globex-monitoring", {"title": "VPN tunnel to Boston down", "severity": "major"}),
]


@pytest.mark.parametrize(("client_id", "integration", "body"), SCENARIOS)
def test_explain_matches_what_the_system_then_does(
    system: RunningSystem, client_id: str, integration: str, body: dict[str, Any]
) -> None:
    alert = {"client": client_id, "integration": integration, **body}
    predicted = _explain(system, alert)
    ticket_id = _post(system, integration, f"dev-token-{integration}", body)
    first_step = wait_for_steps(system, ticket_id, 1)[0]
    [routing] = asyncio.run(
        _fetch(system, "SELECT * FROM routings WHERE ticket_id = $1", ticket_id)
    )
    assert (routing["rule"], routing["tier"], routing["team"]) == (
        predicted["rule"],
        predicted["tier"],
        predicted["team"],
    )
    assert (routing["assignee"], routing["backup"], routing["priority"]) == (
        predicted["on_call"],
        predicted["backup"],
        predicted["priority"],
    )
    assert routing["escalation_policy"] == predicted["escalation_policy"]
    assert routing["vendor"] == predicted["vendor"]
    assert first_step[1] == [page["person"] for page in predicted["timeline"][0]["pages"]]
    if predicted["vendor"]:
        system.wait_for_ticket(ticket_id, until="VendorCaseRequested")


def test_explain_names_what_is_wrong_with_a_request(system: RunningSystem) -> None:
    with httpx.Client(base_url=system.services["router"].url, timeout=10) as client:
        both = client.post(
            "/v1/explain",
            json={"alert": {"client": "acme", "title": "x"}, "ticket_id": "t"},
            headers=STAFF,
        )
        unknown = client.post("/v1/explain", json={"ticket_id": "nope"}, headers=STAFF)
        anonymous = client.post("/v1/explain", json={"ticket_id": "nope"})
    assert both.status_code == 422
    assert "give either 'alert' or 'ticket_id'" in both.text
    assert unknown.status_code == 404
    assert anonymous.status_code == 401


def test_explain_a_routed_ticket_by_its_id(system: RunningSystem) -> None:
    ticket_id = system.post_alert({"title": "Firewall CPU high", "severity": "critical"})
    wait_for_steps(system, ticket_id, 1)
    with httpx.Client(base_url=system.services["router"].url, timeout=10) as client:
        response = client.post("/v1/explain", json={"ticket_id": ticket_id}, headers=STAFF)
    assert response.status_code == 200, response.text
    assert response.json()["rule"] == "critical-to-l2"
    assert response.json()["timeline"][0]["text"].startswith("T+0 L2 and L3 at once: Bob Okafor")


def _executive_pages(system: RunningSystem, ticket_id: str) -> list[Any]:
    return [
        m
        for m in system.smtp.matching(f"Ticket id: {ticket_id}")
        if m["To"] == "frank@msp.example" and "major outage" in str(m["Subject"])
    ]


def test_two_clients_hit_by_one_service_page_the_executives_once(system: RunningSystem) -> None:
    body = {"title": "Exchange Online unreachable", "severity": "critical"}
    first = _post(
        system,
        "acme-monitoring",
        "dev-token-acme-monitoring",
        body | {"labels": {"service": "exo"}},
    )
    wait_for_steps(system, first, 1)
    second = _post(
        system,
        "globex-monitoring",
        "dev-token-globex-monitoring",
        body | {"labels": {"service": "exo"}},
    )
    view = system.wait_for_ticket(second, until="RespondersPaged")
    [paged] = [e["summary"] for e in view["timeline"] if e["event"] == "RespondersPaged"]
    assert paged == "Paged frank (major outage: 2 clients hit on exo within 15 min)"
    eventually(lambda: _executive_pages(system, second) or None, 15, "no page to the executives")
    # A third ticket in the same window is part of the same outage: no second page.
    third = _post(
        system,
        "globex-monitoring",
        "dev-token-globex-monitoring",
        {"title": "Outlook cannot connect", "severity": "critical", "labels": {"service": "exo"}},
    )
    wait_for_steps(system, third, 1)
    later = system.wait_for_ticket(third, until="EscalationStepReached")
    assert "RespondersPaged" not in [e["event"] for e in later["timeline"]]
    first_view = system.ticket(first)
    assert first_view is not None
    assert "RespondersPaged" not in [e["event"] for e in first_view["timeline"]]


def test_a_flagged_service_pages_the_executives_at_once(system: RunningSystem) -> None:
    ticket_id = system.post_alert(
        {
            "title": "Core network down",
            "severity": "critical",
            "labels": {"service": "core-network"},
        }
    )
    view = system.wait_for_ticket(ticket_id, until="RespondersPaged")
    [paged] = [e["summary"] for e in view["timeline"] if e["event"] == "RespondersPaged"]
    assert paged == "Paged frank (major outage: flagged service core-network is down)"
    alert = {
        "client": "acme",
        "title": "Core network down",
        "severity": "critical",
        "labels": {"service": "core-network"},
    }
    assert _explain(system, alert)["major_outage"] == (
        "flagged service core-network: pages tier:executive at once"
    )


def test_the_sla_clock_follows_the_priority_routing_sets(system: RunningSystem) -> None:
    ticket_id = system.post_alert({"title": "Toner low on PRN-2", "severity": "minor"})

    def at_p5_target() -> dict[str, Any] | None:
        view = system.ticket(ticket_id)
        response = (view or {}).get("sla", {}).get("response", {})
        return view if response.get("target_seconds") == 4 * 3600 else None

    # Whichever of TicketOpened and TicketRouted the SLA timer sees first, the clock ends at P5.
    # (40 s: on CI's two cores the five services share the machine with the broker and the
    # database, and this module's earlier P1 tickets keep every service busy.)
    view = eventually(at_p5_target, 40, f"ticket {ticket_id}'s clock never took P5's target")
    assert view["priority"] == "P5"
    retargeted = [e["summary"] for e in view["timeline"] if e["event"] == "SlaClockRetargeted"]
    assert all("(routed at P5 by rule toner-is-planning)" in line for line in retargeted)
    explained = _explain(
        system, {"client": "acme", "title": "Toner low on PRN-2", "severity": "minor"}
    )
    assert explained["sla_targets_seconds"]["response"] == 4 * 3600


def test_a_drill_rehearses_the_chain_without_engaging_the_vendor(system: RunningSystem) -> None:
    manager = {"Authorization": "Bearer dev-staff-token-carol"}
    drill = {"client": "acme", "title": "Teams sign-in failures", "labels": {"service": "m365"}}
    with system.intake as client:
        refused = client.post("/v1/drills", json=drill, headers=STAFF)  # a technician
        response = client.post("/v1/drills", json=drill, headers=manager)
    assert refused.status_code == 403
    assert response.status_code == 202, response.text
    ticket_id = response.json()["ticket_id"]
    assert wait_for_steps(system, ticket_id, 1)[0] == (0, ["bob"], "routed")
    view = system.wait_for_ticket(ticket_id, until="TicketRouted")
    assert view["title"] == "[DRILL] Teams sign-in failures"
    [routed] = [e["summary"] for e in view["timeline"] if e["event"] == "TicketRouted"]
    assert routed.endswith("drill: vendor microsoft would get a case")
    page = system.smtp.wait_for(f"Ticket id: {ticket_id}", within=15)
    assert "[DRILL] Teams sign-in failures" in str(page[0]["Subject"])
    time.sleep(2)
    with httpx.Client(base_url=system.services["vendor-gateway"].url, timeout=10) as client:
        cases = client.get("/v1/vendor-cases", params={"ticket_id": ticket_id}, headers=STAFF)
    assert cases.status_code == 200, cases.text
    assert cases.json() == []
    later = system.ticket(ticket_id)
    assert later is not None
    assert "VendorCaseRequested" not in [e["event"] for e in later["timeline"]]


def test_a_client_escalation_diagram_is_served_as_mermaid(system: RunningSystem) -> None:
    with httpx.Client(base_url=system.services["router"].url, timeout=10) as client:
        diagram = client.get("/v1/clients/globex/escalation-diagram", headers=STAFF)
        unknown = client.get("/v1/clients/nobody/escalation-diagram", headers=STAFF)
    assert diagram.status_code == 200, diagram.text
    assert diagram.headers["content-type"].startswith("text/vnd.mermaid")
    assert diagram.text.startswith("flowchart TD\n")
    assert "globex-firewall-to-network<br/>keywords firewall, vpn, meraki" in diagram.text
    assert unknown.status_code == 404
