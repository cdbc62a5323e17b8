"""API tokens issued and revoked through the API, over the running services: every service
accepts a new token within moments and refuses it once revoked or expired, also after a
restart; nobody mints a token wider than their own access; only admins manage other people's."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from tests.e2e.conftest import STAFF_TOKEN, RunningSystem
from tests.e2e.service_api import PROBES, answered_everywhere, call, statuses
from tests.harness.waiting import eventually

pytestmark = pytest.mark.e2e

ALICE = {"Authorization": f"Bearer {STAFF_TOKEN}"}
CAROL = {"Authorization": "Bearer dev-staff-token-carol"}
FRANK = {"Authorization": "Bearer dev-staff-token-frank"}  # an admin
GINA = {"Authorization": "Bearer dev-staff-token-gina"}  # Globex only
DANA = {"Authorization": "Bearer dev-contact-token-dana"}  # ACME's contact


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def _call(
    system: RunningSystem,
    method: str,
    path: str,
    who: dict[str, str],
    service: str = "intake",
    **kw: Any,
) -> httpx.Response:
    return call(system, service, method, path, who, **kw)


def _issue(system: RunningSystem, who: dict[str, str], **body: Any) -> dict[str, Any]:
    response = _call(system, "POST", "/v1/tokens", who, json=body)
    assert response.status_code == 201, response.text
    issued: dict[str, Any] = response.json()
    return issued


def test_an_issued_token_works_on_every_service_until_revoked(system: RunningSystem) -> None:
    issued = _issue(system, ALICE, name="ci-pipeline")
    token = issued["token"]
    assert token.startswith("esc_")
    assert issued["person"] == "alice"
    assert issued["role"] == "technician"
    assert "token_sha256" not in issued
    answered_everywhere(system, _bearer(token), 200, "the new token")

    mine = _call(system, "GET", "/v1/tokens", ALICE).json()["tokens"]
    assert [t["name"] for t in mine if t["id"] == issued["id"]] == ["ci-pipeline"]
    assert all("token_sha256" not in t for t in mine)
    assert token not in str(mine)

    # Alice's own commands through the token carry her name onto the timeline.
    ticket = system.post_alert({"title": "Token-driven ack", "severity": "minor"})
    system.wait_for_ticket(ticket, until="TicketOpened")
    ack = _call(system, "POST", f"/v1/tickets/{ticket}/acknowledge", _bearer(token))
    assert ack.status_code == 200, ack.text
    view = system.wait_for_ticket(ticket, until="TicketAcknowledged")
    assert "Acknowledged by alice" in [e["summary"] for e in view["timeline"]]

    revoked = _call(system, "DELETE", f"/v1/tokens/{issued['id']}", ALICE)
    assert revoked.status_code == 200
    assert revoked.json()["revoked_by"] == "alice"
    answered_everywhere(system, _bearer(token), 401, "the revoked token")
    again = _call(system, "DELETE", f"/v1/tokens/{issued['id']}", ALICE)
    assert again.status_code == 200  # idempotent
    assert again.json()["revoked_at"] == revoked.json()["revoked_at"]


def test_a_restarted_service_still_knows_live_and_revoked_tokens(system: RunningSystem) -> None:
    live = _issue(system, ALICE, name="before-restart")["token"]
    gone = _issue(system, ALICE, name="revoked-before-restart")
    assert _call(system, "DELETE", f"/v1/tokens/{gone['id']}", ALICE).status_code == 200
    answered_everywhere(system, _bearer(live), 200, "the live token")
    answered_everywhere(system, _bearer(gone["token"]), 401, "the revoked token")
    router = system.services["router"]
    router.stop()
    router.start()
    router.wait_ready()  # ready only once it has read every token issued before it started
    probe = PROBES["router"]
    assert _call(system, "GET", probe, _bearer(live), "router").status_code == 200
    assert _call(system, "GET", probe, _bearer(gone["token"]), "router").status_code == 401


def test_an_expired_token_is_refused_everywhere(system: RunningSystem) -> None:
    soon = datetime.now(UTC) + timedelta(seconds=4)
    token = _issue(system, ALICE, name="short-lived", expires_at=soon.isoformat())["token"]
    answered_everywhere(system, _bearer(token), 200, "the token before it expires")
    time.sleep(max(0.0, (soon - datetime.now(UTC)).total_seconds()) + 0.5)
    assert set(statuses(system, _bearer(token)).values()) == {401}


def test_nobody_mints_a_token_wider_than_their_access(system: RunningSystem) -> None:
    for who, body, says in (
        (GINA, {"name": "x", "clients": ["acme"]}, "clients outside the holder's access: acme"),
        (GINA, {"name": "x", "role": "manager"}, "role 'manager' exceeds 'technician'"),
        (DANA, {"name": "x", "role": "technician"}, "takes its client's access"),
        (ALICE, {"name": "x", "expires_at": "2020-01-01T00:00:00Z"}, "in the past"),
        (ALICE, {"name": "x", "clients": ["umbrella"]}, "no clients umbrella"),
    ):
        refused = _call(system, "POST", "/v1/tokens", who, json=body)
        assert refused.status_code == 422, refused.text
        assert says in refused.json()["message"]
    # A narrowed token cannot mint a wider one for the same person.
    narrow = _issue(system, CAROL, name="carol-readonly", role="technician")["token"]
    # A new token reaches every service, intake too, through the access topic: in moments.
    answered_everywhere(system, _bearer(narrow), 200, "Carol's narrowed token")
    wider = _call(
        system, "POST", "/v1/tokens", _bearer(narrow), json={"name": "y", "role": "manager"}
    )
    assert wider.status_code == 422
    inherited = _issue(system, _bearer(narrow), name="from-narrow")
    assert inherited["role"] == "technician"
    # Gina's token is scoped like Gina; Dana's acts for ACME's contact.
    gina = _issue(system, GINA, name="gina-script")
    assert gina["clients"] == ["globex"]
    answered_everywhere(system, _bearer(gina["token"]), 200, "Gina's token")
    acme = _call(system, "GET", "/v1/tickets?client=acme", _bearer(gina["token"])).json()
    assert acme["tickets"] == []
    dana = _issue(system, DANA, name="dana-report")
    assert (dana["contact"], dana["person"], dana["role"]) == ("dana@acme.example", None, None)
    eventually(
        lambda: (
            _call(system, "GET", "/v1/tickets", _bearer(dana["token"])).status_code == 200 or None
        ),
        20,
        "Dana's token never worked",
    )


def test_only_admins_manage_other_peoples_tokens(system: RunningSystem) -> None:
    carols = _issue(system, CAROL, name="carol-automation")
    assert _call(system, "DELETE", f"/v1/tokens/{carols['id']}", ALICE).status_code == 404
    assert _call(system, "GET", "/v1/tokens?everyone=true", ALICE).status_code == 403
    listed = _call(system, "GET", "/v1/tokens?person=carol", FRANK).json()["tokens"]
    assert carols["id"] in {t["id"] for t in listed}
    for_alice = _call(system, "POST", "/v1/tokens", CAROL, json={"name": "z", "person": "alice"})
    assert for_alice.status_code == 403
    issued = _issue(system, FRANK, name="for-gina", person="gina")
    assert (issued["person"], issued["clients"], issued["issued_by"]) == (
        "gina",
        ["globex"],
        "frank",
    )
    revoked = _call(system, "DELETE", f"/v1/tokens/{carols['id']}", FRANK)
    assert revoked.status_code == 200
    assert revoked.json()["revoked_by"] == "frank"
    answered_everywhere(system, _bearer(carols["token"]), 401, "Carol's token revoked by an admin")
