"""Password sign-in over the running services: a session cookie every service accepts, CSRF on
changes, sign-out everywhere, one answer for wrong email and wrong password, lockout after
repeated failures, and every attempt on the audit log (never the password)."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.e2e.conftest import RunningSystem
from tests.e2e.service_api import answered_everywhere, call
from tests.harness.waiting import eventually

pytestmark = pytest.mark.e2e

FRANK = {"Authorization": "Bearer dev-staff-token-frank"}  # an admin


def _sign_in(system: RunningSystem, email: str, password: str) -> httpx.Response:
    return call(
        system, "intake", "POST", "/v1/sign-in", {}, json={"email": email, "password": password}
    )


def _cookies(response: httpx.Response) -> dict[str, str]:
    """Set-Cookie headers by cookie name (the whole header, attributes included)."""
    headers = response.headers.get_list("set-cookie")
    return {h.split("=", 1)[0]: h for h in headers}


def _session(response: httpx.Response) -> dict[str, str]:
    """Request headers carrying the session cookie (sent by hand: a Secure cookie over plain
    HTTP on 127.0.0.1, which browsers accept and Python's cookie jar does not)."""
    value = _cookies(response)["escalator_session"].split(";", 1)[0].split("=", 1)[1]
    return {"Cookie": f"escalator_session={value}"}


def test_a_session_works_on_every_service_until_signed_out(system: RunningSystem) -> None:
    signed_in = _sign_in(system, "Gina@msp.example", "dev-password-gina")
    assert signed_in.status_code == 200, signed_in.text
    body: dict[str, Any] = signed_in.json()
    assert (body["person"], body["role"], body["clients"]) == ("gina", "technician", ["globex"])
    cookies = _cookies(signed_in)
    session_cookie = cookies["escalator_session"].lower()
    assert "httponly" in session_cookie
    assert "secure" in session_cookie
    assert "samesite=lax" in session_cookie
    csrf_cookie = cookies["escalator_csrf"].lower()
    assert "httponly" not in csrf_cookie
    assert "samesite=strict" in csrf_cookie
    session = _session(signed_in)
    answered_everywhere(system, session, 200, "the new session")
    tickets = call(system, "intake", "GET", "/v1/tickets?limit=500", session).json()["tickets"]
    assert {t["client_id"] for t in tickets} <= {"globex"}

    # A change through the cookie needs the CSRF token: a forged cross-site form has none.
    forged = call(system, "intake", "POST", "/v1/session/refresh", session)
    assert forged.status_code == 403
    assert forged.json()["error"] == "csrf_failed"
    wrong = call(
        system, "intake", "POST", "/v1/session/refresh", {**session, "X-CSRF-Token": "0" * 64}
    )
    assert wrong.status_code == 403
    with_csrf = {**session, "X-CSRF-Token": body["csrf_token"]}
    refreshed = call(system, "intake", "POST", "/v1/session/refresh", with_csrf)
    assert refreshed.status_code == 200, refreshed.text
    assert refreshed.json()["expires_at"] >= body["expires_at"]

    out = call(system, "intake", "POST", "/v1/sign-out", with_csrf)
    assert out.status_code == 200
    assert 'escalator_session=""' in out.headers.get_list("set-cookie")[0] or "max-age=0" in (
        out.headers.get_list("set-cookie")[0].lower()
    )
    answered_everywhere(system, session, 401, "the signed-out session")


def test_a_client_contact_signs_in_to_her_clients_customer_view(system: RunningSystem) -> None:
    signed_in = _sign_in(system, "dana@acme.example", "dev-password-dana")
    assert signed_in.status_code == 200, signed_in.text
    assert signed_in.json()["role"] == "client"
    session = _session(signed_in)
    eventually(
        lambda: call(system, "intake", "GET", "/v1/tickets", session).status_code == 200 or None,
        20,
        "Dana's session never worked",
    )
    explain = call(system, "router", "POST", "/v1/explain", session, json={"ticket_id": "x"})
    assert explain.status_code == 403  # no CSRF header (and not a client contact's to read)


def test_wrong_credentials_get_one_answer_and_repeated_failures_lock(
    system: RunningSystem,
) -> None:
    wrong_password = _sign_in(system, "carol@msp.example", "not-her-password")
    unknown = _sign_in(system, "nobody@msp.example", "whatever-password")
    assert wrong_password.status_code == unknown.status_code == 401
    assert wrong_password.json() == unknown.json()
    for _ in range(4):
        assert _sign_in(system, "carol@msp.example", "still-wrong").status_code == 401
    locked = _sign_in(system, "carol@msp.example", "dev-password-carol")  # right, but locked
    assert locked.status_code == 429, locked.text
    assert int(locked.headers["Retry-After"]) > 0
    assert "escalator_session" not in _cookies(locked)
    # Another account from the same address is not locked out by Carol's.
    assert _sign_in(system, "alice@msp.example", "dev-password-alice").status_code == 200

    def audited() -> list[dict[str, Any]] | None:
        lines = call(system, "intake", "GET", "/v1/audit?limit=1000", FRANK).json()["lines"]
        failures = [
            e
            for e in lines
            if e["outcome"] == "sign_in_failed" and e["person"] == "carol@msp.example"
        ]
        return lines if len(failures) >= 6 else None

    lines = eventually(audited, 20, "the failed sign-ins never reached the audit log")
    assert any(
        e["path"] == "/v1/sign-in" and e["person"] == "alice" and e["outcome"] == "done"
        for e in lines
    )
    assert all(e["source"] == "127.0.0.1" for e in lines if e["path"] == "/v1/sign-in")
    assert "dev-password" not in str(lines)
    assert "not-her-password" not in str(lines)


def test_no_password_or_session_reaches_any_services_log(system: RunningSystem) -> None:
    """Runs last in this module, after every sign-in above."""
    signed_in = _sign_in(system, "frank@msp.example", "dev-password-frank")
    session = _session(signed_in)["Cookie"].split("=", 1)[1]
    answered_everywhere(system, {"Cookie": f"escalator_session={session}"}, 200, "Frank's session")
    secrets = {
        "dev-password-gina",
        "dev-password-dana",
        "dev-password-carol",
        "dev-password-alice",
        "dev-password-frank",
        "not-her-password",
        "still-wrong",
        session,
        signed_in.json()["csrf_token"],
    }
    for service in system.services.values():
        log = service.log_path.read_text(errors="replace")
        leaked = sorted(s for s in secrets if s in log)
        assert not leaked, f"{service.name}'s log holds {leaked}"
