"""Isolation over the running services: a technician scoped to Globex and a contact of ACME each
see their own client only, through every listing and read endpoint of all five services; an
integration cannot open tickets for a client it does not list.

The example configuration's people: alice (technician, every client), carol (manager), gina
(technician, Globex only) and dana@acme.example (ACME's contact); docs/security.md.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import yaml

from tests.e2e.conftest import STAFF_TOKEN, RunningSystem
from tests.e2e.service_api import call as _call
from tests.e2e.test_email_intake import SAMPLES
from tests.harness.waiting import eventually

pytestmark = pytest.mark.e2e

ALICE = {"Authorization": f"Bearer {STAFF_TOKEN}"}
CAROL = {"Authorization": "Bearer dev-staff-token-carol"}
GINA = {"Authorization": "Bearer dev-staff-token-gina"}
DANA = {"Authorization": "Bearer dev-contact-token-dana"}


@dataclass(frozen=True)
class Tickets:
    """One ACME ticket (opened by Dana's email) and one Globex ticket (by its monitoring)."""

    acme: str
    acme_email: str
    globex: str


def _get(system: RunningSystem, service: str, path: str, who: dict[str, str]) -> Any:
    response = _call(system, service, "GET", path, who)
    assert response.status_code == 200, f"{service} {path}: {response.text}"
    return response.json()


@pytest.fixture(scope="module")
def tickets(system: RunningSystem) -> Tickets:
    email_id = system.send_email((SAMPLES / "01-new-request.eml").read_bytes(), "dana@acme.example")

    def read() -> dict[str, Any] | None:
        view = _get(system, "intake", f"/v1/emails/{email_id}", ALICE)
        return view if view["state"] == "processed" and view["ticket_id"] else None

    acme = eventually(read, 20, "Dana's email opened no ticket")["ticket_id"]
    response = _call(
        system,
        "intake",
        "POST",
        "/v1/webhooks/globex-monitoring",
        {"Authorization": "Bearer dev-token-globex-monitoring"},
        json={"title": "Core switch down", "severity": "critical"},
    )
    assert response.status_code == 202, response.text
    globex = response.json()["ticket_id"]
    system.wait_for_ticket(globex, until="TicketRouted")
    system.wait_for_ticket(acme, until="TicketRouted")
    notes = f"/v1/tickets/{acme}/notes"
    for text, visible in (("Replaced the toner", True), ("Requester was rude", False)):
        added = _call(
            system, "intake", "POST", notes, ALICE, json={"text": text, "customer_visible": visible}
        )
        assert added.status_code == 201, added.text
    engaged = _call(
        system,
        "vendor-gateway",
        "POST",
        f"/v1/tickets/{acme}/vendor-cases",
        ALICE,
        json={"vendor": "microsoft"},
    )
    assert engaged.status_code == 202, engaged.text
    eventually(
        lambda: _get(system, "vendor-gateway", f"/v1/vendor-cases?ticket_id={acme}", ALICE) or None,
        20,
        "the ACME vendor case never showed",
    )
    eventually(
        lambda: _get(system, "notifier", f"/v1/deliveries?ticket_id={acme}", ALICE) or None,
        20,
        "no delivery about the ACME ticket",
    )
    return Tickets(acme, email_id, globex)


def test_a_scoped_technician_lists_and_reads_only_her_clients(
    system: RunningSystem, tickets: Tickets
) -> None:
    acme, globex = tickets.acme, tickets.globex
    listed = {
        t["client_id"] for t in _get(system, "intake", "/v1/tickets?limit=500", GINA)["tickets"]
    }
    assert listed == {"globex"}
    assert _get(system, "intake", "/v1/tickets?client=acme", GINA)["tickets"] == []
    assert _get(system, "intake", f"/v1/tickets/{globex}", GINA)["client_id"] == "globex"

    missing = _call(system, "intake", "GET", "/v1/tickets/no-such-ticket", ALICE).json()
    foreign = _call(system, "intake", "GET", f"/v1/tickets/{acme}", GINA)
    assert foreign.status_code == 404
    assert foreign.json()["error"] == missing["error"]  # no hint that the ticket exists
    assert foreign.json()["message"] == missing["message"].replace("no-such-ticket", acme)
    for path, body in (
        ("acknowledge", None),
        ("notes", {"text": "peek"}),
        ("escalate", None),
        ("links", None),
    ):
        answer = _call(system, "intake", "POST", f"/v1/tickets/{acme}/{path}", GINA, json=body)
        assert answer.status_code == 404, f"{path}: {answer.text}"

    emails = _get(system, "intake", "/v1/emails?limit=500", GINA)["emails"]
    assert tickets.acme_email not in {e["id"] for e in emails}
    assert (
        _call(system, "intake", "GET", f"/v1/emails/{tickets.acme_email}", GINA).status_code == 404
    )
    raw = _call(system, "intake", "GET", f"/v1/emails/{tickets.acme_email}/raw", GINA)
    assert raw.status_code == 404

    clocks = _call(system, "sla-timer", "GET", f"/v1/tickets/{acme}/clocks", GINA)
    assert clocks.status_code == 404
    assert _get(system, "sla-timer", f"/v1/tickets/{globex}/clocks", GINA)["clocks"]
    today = datetime.now(UTC).date()
    window = f"from={today - timedelta(days=1)}&to={today + timedelta(days=1)}"
    rows = _get(system, "sla-timer", f"/v1/reports/sla?{window}", GINA)["rows"]
    assert {r["client"] for r in rows} == {"globex"}
    assert _get(system, "sla-timer", f"/v1/reports/sla?{window}&client=acme", GINA)["rows"] == []

    explain = _call(system, "router", "POST", "/v1/explain", GINA, json={"ticket_id": acme})
    assert explain.status_code == 404
    assert (
        _call(system, "router", "POST", "/v1/explain", GINA, json={"ticket_id": globex}).status_code
        == 200
    )
    diagram = "/v1/clients/{}/escalation-diagram"
    assert _call(system, "router", "GET", diagram.format("acme"), GINA).status_code == 404
    assert _call(system, "router", "GET", diagram.format("globex"), GINA).status_code == 200

    assert _get(system, "notifier", f"/v1/deliveries?ticket_id={acme}", GINA) == []
    assert _get(system, "vendor-gateway", f"/v1/vendor-cases?ticket_id={acme}", GINA) == []
    engage = _call(
        system,
        "vendor-gateway",
        "POST",
        f"/v1/tickets/{acme}/vendor-cases",
        GINA,
        json={"vendor": "microsoft"},
    )
    assert engage.status_code == 404
    microsoft = _get(system, "vendor-gateway", "/v1/vendors/microsoft", GINA)
    assert "acme" not in microsoft["clients_covered"]
    assert (
        "acme" in _get(system, "vendor-gateway", "/v1/vendors/microsoft", ALICE)["clients_covered"]
    )


def test_a_client_contact_sees_her_clients_tickets_customer_visible_parts_only(
    system: RunningSystem, tickets: Tickets
) -> None:
    acme, globex = tickets.acme, tickets.globex
    listed = _get(system, "intake", "/v1/tickets?limit=500", DANA)["tickets"]
    assert {t["client_id"] for t in listed} == {"acme"}
    assert all("labels" not in t and "assignee" not in t for t in listed)
    view = _get(system, "intake", f"/v1/tickets/{acme}", DANA)
    summaries = [entry["summary"] for entry in view["timeline"]]
    assert "Replaced the toner" in summaries
    assert not any("rude" in s for s in summaries)
    assert not {"assignee", "team", "tier", "labels", "integration"} & set(view)
    assert _call(system, "intake", "GET", f"/v1/tickets/{globex}", DANA).status_code == 404

    clocks = _get(system, "sla-timer", f"/v1/tickets/{acme}/clocks", DANA)["clocks"]
    assert clocks
    assert {c["metric"] for c in clocks} <= {"response", "update", "resolution"}
    assert all("log" not in c for c in clocks)
    assert (
        _call(system, "sla-timer", "GET", f"/v1/tickets/{globex}/clocks", DANA).status_code == 404
    )
    today = datetime.now(UTC).date()
    window = f"from={today - timedelta(days=1)}&to={today + timedelta(days=1)}"
    rows = _get(system, "sla-timer", f"/v1/reports/sla?{window}", DANA)["rows"]
    assert rows
    assert {r["client"] for r in rows} == {"acme"}
    assert not any(r["metric"].startswith(("ola:", "vendor_")) for r in rows)

    deliveries = _get(system, "notifier", f"/v1/deliveries?ticket_id={acme}", DANA)
    staff_view = _get(system, "notifier", f"/v1/deliveries?ticket_id={acme}", ALICE)
    assert any(not d["kind"].startswith("customer_") for d in staff_view)
    assert all(d["kind"].startswith("customer_") for d in deliveries)
    assert all("address" not in d and "attempt_log" not in d for d in deliveries)
    assert _get(system, "notifier", f"/v1/deliveries?ticket_id={globex}", DANA) == []

    (case,) = _get(system, "vendor-gateway", f"/v1/vendor-cases?ticket_id={acme}", DANA)
    assert case["vendor"] == "microsoft"
    assert not {"data", "missing", "last_error", "requested_by"} & set(case)
    assert _get(system, "vendor-gateway", f"/v1/vendor-cases?ticket_id={globex}", DANA) == []

    # Internal views are for staff: refused before anything is looked up, so nothing leaks.
    for service, method, path, body in (
        ("router", "POST", "/v1/explain", {"ticket_id": acme}),
        ("router", "GET", "/v1/clients/acme/escalation-diagram", None),
        ("intake", "GET", "/v1/emails", None),
        ("intake", "GET", f"/v1/emails/{tickets.acme_email}", None),
        ("intake", "POST", f"/v1/tickets/{acme}/acknowledge", None),
        ("intake", "POST", f"/v1/tickets/{acme}/notes", {"text": "hello"}),
        ("vendor-gateway", "GET", "/v1/vendors", None),
        ("intake", "GET", "/v1/rejected", None),
    ):
        answer = _call(system, service, method, path, DANA, json=body)
        assert answer.status_code == 403, f"{service} {path}: {answer.text}"


def test_a_queues_live_clocks_hold_only_the_callers_clients(
    system: RunningSystem, tickets: Tickets
) -> None:
    both = f"/v1/clocks?ticket_id={tickets.acme}&ticket_id={tickets.globex}"

    def live(who: dict[str, str]) -> dict[str, Any] | None:
        found: dict[str, Any] = _get(system, "sla-timer", both, who)["tickets"]
        return found or None

    everyone = eventually(lambda: live(ALICE), 20, "no live clocks for Alice")
    assert set(everyone) == {tickets.acme, tickets.globex}
    for clock in everyone[tickets.globex]:
        assert clock["state"] in {"running", "paused"}
        assert clock["remaining_seconds"] == pytest.approx(
            clock["target_seconds"] - clock["elapsed_seconds"]
        )
        assert "log" not in clock
    assert set(_get(system, "sla-timer", both, GINA)["tickets"]) == {tickets.globex}
    dana = _get(system, "sla-timer", both, DANA)["tickets"]
    assert set(dana) == {tickets.acme}
    assert {c["metric"] for c in dana[tickets.acme]} <= {"response", "resolution"}
    refused = _call(system, "sla-timer", "GET", "/v1/clocks", ALICE)
    assert refused.status_code == 422  # at least one ticket_id


def test_who_am_i_names_the_caller_their_role_and_clients(system: RunningSystem) -> None:
    assert _get(system, "intake", "/v1/me", GINA) == {
        "person": "gina",
        "role": "technician",
        "clients": ["globex"],
        "label": "gina",
        "token": "gina-cli",
    }
    dana = _get(system, "intake", "/v1/me", DANA)
    assert (dana["role"], dana["clients"]) == ("client", ["acme"])
    assert _get(system, "intake", "/v1/me", ALICE)["clients"] is None
    assert _call(system, "intake", "GET", "/v1/me", {}).status_code == 401


def test_an_integration_cannot_open_tickets_for_a_client_it_does_not_list(
    system: RunningSystem,
) -> None:
    alert: dict[str, Any] = {
        "receiver": "escalator",
        "status": "firing",
        "alerts": [
            {
                "status": "firing",
                "labels": {"alertname": "DiskFull", "client": "initech", "severity": "critical"},
                "annotations": {"summary": "Disk full"},
                "startsAt": datetime.now(UTC).isoformat(),
                "fingerprint": "isolation-initech",
            }
        ],
        "groupKey": '{}:{alertname="DiskFull"}',
        "version": "4",
    }
    sender = {"Authorization": "Bearer dev-token-acme-prometheus"}
    refused = _call(system, "intake", "POST", "/v1/webhooks/acme-prometheus", sender, json=alert)
    assert refused.status_code == 422, refused.text
    answer = refused.json()
    assert answer["error"] == "foreign_client"
    assert "client='initech'" in answer["message"]
    kept = _get(system, "intake", f"/v1/rejected/{answer['rejected_id']}", CAROL)
    assert kept["integration"] == "acme-prometheus"
    initech = _get(system, "intake", "/v1/tickets?client=initech&limit=500", ALICE)["tickets"]
    assert not [t for t in initech if t["title"] == "Disk full"]

    alert["alerts"][0]["labels"]["client"] = "globex"
    accepted = _call(system, "intake", "POST", "/v1/webhooks/acme-prometheus", sender, json=alert)
    assert accepted.status_code == 202, accepted.text
    opened = system.wait_for_ticket(accepted.json()["ticket_id"], until="TicketOpened")
    assert opened["client_id"] == "globex"


def test_no_token_password_or_hash_reaches_any_services_log(system: RunningSystem) -> None:
    """Runs last in this module: every token above was presented, good and bad, in headers and
    in `?token=` URLs; none of them, nor a password or a stored hash, may be written down."""
    wrong = "Bearer dev-staff-token-wrong-guess"
    assert (
        _call(system, "intake", "GET", "/v1/tickets", {"Authorization": wrong}).status_code == 401
    )
    query = _call(system, "sla-timer", "GET", "/v1/reports/sla?token=dev-staff-token-alice", {})
    assert query.status_code == 422  # authenticated by ?token=, refused for the missing range
    config = yaml.safe_load(
        (next(iter(system.services.values())).log_dir / "config.yaml").read_text()
    )
    secrets = {
        "dev-staff-token-wrong-guess",
        *(who["Authorization"].removeprefix("Bearer ") for who in (ALICE, CAROL, GINA, DANA)),
        *(i.get("token") or i["token_sha256"] for i in config["integrations"]),
        *(f"dev-token-{i['id']}" for i in config["integrations"]),
        *(t["token_sha256"] for t in config["api_tokens"]),
        *(p["password_hash"] for p in config["people"] if "password_hash" in p),
        *(f"dev-password-{p['id']}" for p in config["people"]),
        "dev-contact-token-dana",
        "dev-password-dana",
    }
    for service in system.services.values():
        log = service.log_path.read_text(errors="replace")
        assert log, f"{service.name} wrote no log at all"
        leaked = sorted(s for s in secrets if s in log)
        assert not leaked, f"{service.name}'s log holds {leaked}"
