"""Bad input gets a 4xx that names the problem, and the service stays healthy."""

from __future__ import annotations

import httpx
import pytest

from tests.e2e.conftest import INTEGRATION, INTEGRATION_TOKEN, STAFF_TOKEN, RunningSystem

pytestmark = pytest.mark.e2e

AUTH = {"Authorization": f"Bearer {INTEGRATION_TOKEN}"}


@pytest.mark.parametrize(
    ("path", "kwargs", "status", "error", "says"),
    [
        (
            f"/v1/webhooks/{INTEGRATION}",
            {"content": b"{oops", "headers": AUTH},
            400,
            "invalid_json",
            "not valid JSON",
        ),
        (
            f"/v1/webhooks/{INTEGRATION}",
            {"content": b"", "headers": AUTH},
            400,
            "empty_body",
            "empty",
        ),
        (
            f"/v1/webhooks/{INTEGRATION}",
            {"json": {"severity": "critical"}, "headers": AUTH},
            422,
            "invalid_alert",
            "title: Field required",
        ),
        (
            f"/v1/webhooks/{INTEGRATION}",
            {"json": {"title": "x", "severity": "apocalyptic"}, "headers": AUTH},
            422,
            "invalid_alert",
            "severity",
        ),
        (
            f"/v1/webhooks/{INTEGRATION}",
            {"json": ["a list"], "headers": AUTH},
            422,
            "invalid_alert",
            "valid dictionary",
        ),
        (
            f"/v1/webhooks/{INTEGRATION}",
            {"json": {"title": "x"}},
            401,
            "missing_token",
            "Authorization: Bearer",
        ),
        (
            f"/v1/webhooks/{INTEGRATION}",
            {"json": {"title": "x"}, "headers": {"Authorization": "Bearer wrong-token"}},
            401,
            "invalid_token",
            INTEGRATION,
        ),
        (
            "/v1/webhooks/no-such-integration",
            {"json": {"title": "x"}, "headers": AUTH},
            404,
            "unknown_integration",
            "no-such-integration",
        ),
        (
            f"/v1/webhooks/{INTEGRATION}",
            {"content": b"x" * 1_100_000, "headers": AUTH},
            413,
            "body_too_large",
            "1048576-byte limit",
        ),
        (
            "/v1/tickets/does-not-exist",
            {"headers": {"Authorization": "Bearer nope-nope-nope"}},
            401,
            "invalid_token",
            "API token is not valid",
        ),
    ],
)
def test_bad_requests_are_refused_with_a_named_problem(
    system: RunningSystem, path: str, kwargs: dict[str, object], status: int, error: str, says: str
) -> None:
    method = "GET" if path.startswith("/v1/tickets") else "POST"
    with system.intake as client:
        response = client.request(method, path, **kwargs)  # type: ignore[arg-type]
        assert response.status_code == status, response.text
        body = response.json()
        assert body["error"] == error
        assert says in body["message"]
        assert client.get("/readyz").status_code == 200


def test_the_token_may_come_in_the_query_string(system: RunningSystem) -> None:
    with system.intake as client:
        response = client.post(
            f"/v1/webhooks/{INTEGRATION}?token={INTEGRATION_TOKEN}", json={"title": "Query token"}
        )
    assert response.status_code == 202
    assert response.json()["status"] == "accepted"


def test_an_unknown_ticket_is_a_404_that_says_so(system: RunningSystem) -> None:
    response = httpx.get(
        f"{system.services['intake'].url}/v1/tickets/nope",
        headers={"Authorization": "Bearer dev-staff-token-alice"},
    )
    assert response.status_code == 404
    assert response.json()["error"] == "ticket_not_found"


def test_metrics_count_requests_by_route_template(system: RunningSystem) -> None:
    with system.intake as client:
        refused = client.post(f"/v1/webhooks/{INTEGRATION}", content=b"{oops", headers=AUTH)
    assert refused.status_code == 400
    text = httpx.get(f"{system.services['intake'].url}/metrics").text
    assert 'route="/v1/webhooks/{integration_id}"' in text
    assert "escalator_consumer_messages_total" in text


@pytest.mark.parametrize(
    ("service", "path"),
    [
        ("intake", "/v1/tickets?client=%00&assignee=dave"),
        ("intake", "/v1/tickets/T%00"),
        ("intake", "/v1/emails?state=%00"),
        ("sla-timer", "/v1/tickets/T%00/clocks"),
        ("sla-timer", "/v1/reports/sla?client=ac%00me"),
        ("vendor-gateway", "/v1/vendor-cases?ticket_id=%00"),
        ("vendor-gateway", "/v1/vendors/micro%00soft"),
        ("notifier", "/v1/deliveries?ticket_id=%00"),
        ("router", "/v1/clients/%00/escalation-diagram"),
    ],
)
def test_a_url_holding_a_nul_is_a_400_that_says_so(
    system: RunningSystem, service: str, path: str
) -> None:
    # PostgreSQL refuses a NUL in a text parameter: without the guard these were 500s.
    base = system.services[service].url
    response = httpx.get(f"{base}{path}", headers={"Authorization": f"Bearer {STAFF_TOKEN}"})
    assert response.status_code == 400, response.text
    assert response.json()["error"] == "invalid_request"
    assert "NUL" in response.json()["message"]
    assert httpx.get(f"{base}/readyz").status_code == 200


def test_a_body_token_with_a_lone_surrogate_is_an_invalid_token(system: RunningSystem) -> None:
    # Zabbix carries its token in the body; "\ud800" there was a UnicodeEncodeError and a 500.
    response = httpx.post(
        f"{system.services['intake'].url}/v1/webhooks/zabbix",
        content=b'{"token": "zbx-\\ud800", "event_id": "1"}',
        headers={"Content-Type": "application/json"},
    )
    assert response.status_code == 401, response.text
    assert response.json()["error"] == "invalid_token"


def test_a_routing_key_with_a_lone_surrogate_matches_no_integration(system: RunningSystem) -> None:
    response = httpx.post(
        f"{system.services['intake'].url}/v2/enqueue",
        content=b'{"routing_key": "\\ud800", "event_action": "trigger"}',
        headers={"Content-Type": "application/json"},
    )
    assert response.status_code == 400, response.text
    assert response.json()["error"] == "invalid_routing_key"
