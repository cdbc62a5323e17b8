"""The audit log over the running services: staff actions on every service, token changes and
failed tokens, with who, when and from where; admins read it as JSON or CSV; reads, bodies and
query strings stay out of it."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest

from tests.e2e.conftest import STAFF_TOKEN, RunningSystem
from tests.e2e.service_api import call as _call
from tests.harness.waiting import eventually

pytestmark = pytest.mark.e2e

ALICE = {"Authorization": f"Bearer {STAFF_TOKEN}"}
FRANK = {"Authorization": "Bearer dev-staff-token-frank"}  # an admin


def _audit(system: RunningSystem, **params: str) -> list[dict[str, Any]]:
    response = _call(system, "intake", "GET", "/v1/audit", FRANK, params=params)
    assert response.status_code == 200, response.text
    found: list[dict[str, Any]] = response.json()["lines"]
    return found


def test_actions_on_every_service_token_changes_and_failed_tokens_are_logged(
    system: RunningSystem,
) -> None:
    ticket = system.post_alert({"title": "Audit me", "severity": "minor"})
    system.wait_for_ticket(ticket, until="TicketRouted")
    note = {"text": "secret-note-text", "customer_visible": False}
    assert (
        _call(system, "intake", "POST", f"/v1/tickets/{ticket}/notes", ALICE, json=note).status_code
        == 201
    )
    engage = _call(
        system,
        "vendor-gateway",
        "POST",
        f"/v1/tickets/{ticket}/vendor-cases",
        ALICE,
        json={"vendor": "microsoft"},
    )
    assert engage.status_code == 202
    assert _call(system, "intake", "GET", f"/v1/tickets/{ticket}", ALICE).status_code == 200
    issued = _call(system, "intake", "POST", "/v1/tokens", ALICE, json={"name": "audited"}).json()
    revoke = _call(system, "intake", "DELETE", f"/v1/tokens/{issued['id']}", ALICE)
    assert revoke.status_code == 200
    guess = _call(
        system, "router", "GET", "/v1/clients/acme/escalation-diagram?token=wrong-guess-123", {}
    )
    assert guess.status_code == 401

    wanted = {
        ("intake", "POST", f"/v1/tickets/{ticket}/notes", "alice", "done"),
        ("vendor-gateway", "POST", f"/v1/tickets/{ticket}/vendor-cases", "alice", "done"),
        ("intake", "POST", "/v1/tokens", "alice", "done"),
        ("intake", "DELETE", f"/v1/tokens/{issued['id']}", "alice", "done"),
        ("router", "GET", "/v1/clients/acme/escalation-diagram", None, "invalid_token"),
    }

    def logged() -> list[dict[str, Any]] | None:
        found = _audit(system)
        seen = {(e["service"], e["method"], e["path"], e["person"], e["outcome"]) for e in found}
        return found if wanted <= seen else None

    found = eventually(
        logged, 20, "not every action reached the audit log", detail=lambda: str(_audit(system))
    )
    assert all(line["source"] == "127.0.0.1" for line in found)
    note_line = next(e for e in found if e["path"].endswith("/notes"))
    assert (note_line["role"], note_line["token"], note_line["status"]) == (
        "technician",
        "alice-cli",
        201,
    )
    assert not any(e["method"] == "GET" and e["outcome"] == "done" for e in found)  # reads
    text = str(found)
    assert "secret-note-text" not in text
    assert "wrong-guess-123" not in text
    assert issued["token"] not in text

    mine = _audit(system, person="alice")
    assert mine
    assert {e["person"] for e in mine} == {"alice"}
    exported = _call(system, "intake", "GET", "/v1/audit", FRANK, params={"format": "csv"})
    assert exported.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(exported.text)))
    assert {"at", "service", "person", "source", "method", "path", "status", "outcome"} <= set(
        rows[0]
    )
    assert any(r["path"] == f"/v1/tickets/{ticket}/notes" for r in rows)


def test_only_admins_read_the_audit_log(system: RunningSystem) -> None:
    refused = _call(system, "intake", "GET", "/v1/audit", ALICE)
    assert refused.status_code == 403
    manager = _call(
        system, "intake", "GET", "/v1/audit", {"Authorization": "Bearer dev-staff-token-carol"}
    )
    assert manager.status_code == 403
