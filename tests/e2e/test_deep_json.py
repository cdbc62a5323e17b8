"""Deeply nested JSON gets `400 invalid_json` from every endpoint of every service that reads a
JSON body, never a 500 or a RecursionError traceback in the log, and nothing nested too deep
to travel on the bus is accepted.

The endpoints are found, not listed by hand: every operation with a JSON request body in each
service's OpenAPI, plus those that read their bodies themselves (intake's webhooks for each
sender type, PagerDuty's `/v2/enqueue`, the vendor webhook). The bodies are the issue's
(twenty thousand `[`, twenty thousand `{"a":`) and an alert whose details nest 220 levels:
that one parses, and intake used to answer it 202, but the event made from it does not decode
again on the bus (pydantic's JSON parser stops at 200 levels): it was dead-lettered, never a
ticket.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import re
from typing import Any

import httpx
import pytest

from escalator_shared.http.json_body import MAX_JSON_DEPTH
from tests.e2e.conftest import (
    INTEGRATION,
    INTEGRATION_TOKEN,
    SENDER_INTEGRATIONS,
    STAFF_TOKEN,
    RunningSystem,
)
from tests.e2e.vendor_case_api import DELL_WEBHOOK_TOKEN, dell_config, gateway_env

pytestmark = pytest.mark.e2e

STAFF = {"Authorization": f"Bearer {STAFF_TOKEN}"}
JSON = {"Content-Type": "application/json"}


def _nested_details(levels: int) -> bytes:
    details: Any = "bottom"
    for _ in range(levels):
        details = {"deeper": details}
    return json.dumps({"title": "Nested details", "severity": "minor", "x": details}).encode()


DEEP_BODIES = {
    "arrays": b"[" * 20000 + b"]" * 20000,
    "objects": b'{"a":' * 20000 + b"1" + b"}" * 20000,
    "details-220": _nested_details(220),
}


@pytest.fixture(scope="module")
def config_overrides() -> dict[str, Any]:
    """Dell, so the vendor gateway has a status webhook (its API is never called here)."""
    return dell_config("http://127.0.0.1:9/api")


@pytest.fixture(scope="module")
def service_env_overrides() -> dict[str, str]:
    """Dell's webhook secret."""
    return gateway_env(lease_seconds=30)


def _openapi_json_endpoints(system: RunningSystem) -> list[tuple[str, str, str]]:
    """(service, method, path) of every operation declaring a JSON request body."""
    found = []
    for name, process in system.services.items():
        spec = httpx.get(f"{process.url}/openapi.json", timeout=10).json()
        for template, operations in spec["paths"].items():
            for method, operation in operations.items():
                if "application/json" in operation.get("requestBody", {}).get("content", {}):
                    path = re.sub(r"\{[^}]+\}", "deep-json-test", template)
                    found.append((name, method.upper(), path))
    return found


def _body_readers(body: bytes) -> list[tuple[str, str, str, dict[str, str]]]:
    """(service, method, path, headers) of the endpoints that read their bodies themselves."""
    readers = [
        ("intake", "POST", f"/v1/webhooks/{INTEGRATION}", _bearer(INTEGRATION_TOKEN)),
        ("intake", "POST", "/v1/webhooks/acme-prometheus", _bearer("dev-token-acme-prometheus")),
        ("intake", "POST", "/v2/enqueue", {}),
        ("vendor-gateway", "POST", "/v1/vendor-webhooks/dell", _bearer(DELL_WEBHOOK_TOKEN)),
    ]
    for sender in SENDER_INTEGRATIONS:
        headers = _bearer(sender["token"])
        if sender.get("signing_secret"):
            secret = sender["signing_secret"].encode()
            headers["X-Grafana-Alerting-Signature"] = hmac.new(
                secret, body, hashlib.sha256
            ).hexdigest()
        readers.append(("intake", "POST", f"/v1/webhooks/{sender['id']}", headers))
    return readers


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def _error_code(response: httpx.Response) -> str:
    if not response.headers.get("content-type", "").startswith("application/json"):
        return f"(not JSON) {response.text[:60]}"
    body = response.json()
    return str(body.get("error") or body.get("status")) if isinstance(body, dict) else str(body)


def _log_sizes(system: RunningSystem) -> dict[str, int]:
    return {name: p.log_path.stat().st_size for name, p in system.services.items()}


def _logged_since(system: RunningSystem, sizes: dict[str, int]) -> dict[str, str]:
    logged = {}
    for name, process in system.services.items():
        with process.log_path.open("rb") as log:
            log.seek(sizes[name])
            logged[name] = log.read().decode(errors="replace")
    return logged


@pytest.mark.parametrize("shape", list(DEEP_BODIES))
def test_every_json_endpoint_answers_a_deep_body_with_400_invalid_json(
    system: RunningSystem, shape: str
) -> None:
    body = DEEP_BODIES[shape]
    from_openapi = _openapi_json_endpoints(system)
    # What the services declare today; a new one is covered without changing this test.
    assert {s for s, _, _ in from_openapi} >= {"intake", "router", "sla-timer", "vendor-gateway"}
    endpoints = [(s, m, p, STAFF) for s, m, p in from_openapi] + _body_readers(body)
    sizes = _log_sizes(system)

    answers = {}
    for service, method, path, headers in endpoints:
        response = httpx.request(
            method,
            f"{system.services[service].url}{path}",
            content=body,
            headers={**JSON, **headers},
            timeout=30,
        )
        answers[(service, method, path)] = (response.status_code, _error_code(response))

    wrong = {where: answer for where, answer in answers.items() if answer != (400, "invalid_json")}
    assert not wrong, "\n".join(f"{where}: {answer}" for where, answer in wrong.items())
    for name, text in _logged_since(system, sizes).items():
        assert "Traceback" not in text, f"{name} logged:\n{text[-3000:]}"
        assert "RecursionError" not in text, f"{name} logged:\n{text[-3000:]}"
    for process in system.services.values():
        assert httpx.get(f"{process.url}/readyz", timeout=10).status_code == 200


def test_the_error_names_the_limit_in_the_usual_error_shape(system: RunningSystem) -> None:
    response = httpx.post(
        f"{system.services['router'].url}/v1/explain",
        content=DEEP_BODIES["arrays"],
        headers={**JSON, **STAFF},
        timeout=30,
    )
    assert response.status_code == 400
    assert response.json() == {
        "error": "invalid_json",
        "message": f"the body is not accepted: JSON nested over {MAX_JSON_DEPTH} levels",
    }


def test_a_deep_paging_cursor_is_a_bad_cursor_not_a_server_error(system: RunningSystem) -> None:
    cursor = base64.urlsafe_b64encode(b"[" * 20000 + b"]" * 20000).decode().rstrip("=")
    sizes = _log_sizes(system)
    response = httpx.get(
        f"{system.services['intake'].url}/v1/tickets",
        params={"cursor": cursor},
        headers=STAFF,
        timeout=30,
    )
    assert (response.status_code, response.json()["error"]) == (400, "invalid_cursor")
    assert "Traceback" not in _logged_since(system, sizes)["intake"]
