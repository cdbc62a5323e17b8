"""A vendor with a case API in the running system (Dell, ServiceNow-style, played by
tests.harness.vendor_api), and the gateway's case endpoints as staff and the vendor call them."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import httpx
import yaml

from tests.e2e.conftest import RunningSystem
from tests.e2e.sla_clock_api import TECHNICIAN
from tests.harness.environment import REPO
from tests.harness.isolation import unique_suffix
from tests.harness.vendor_api import VendorApiStub
from tests.harness.waiting import eventually

DELL_API_AUTHORIZATION = "Basic ZGVsbC1hcGk6ZGVsbC1zZWNyZXQ="  # what the stub expects
DELL_WEBHOOK_TOKEN = "dell-webhook-token"
UPDATE_CONTACT = "it-updates@acme.example"
SERVICE_TAG = "7XK2M93"
ACME_DELL_CUSTOMER = "ACME-5521"
# Dell answers a P2 (alert severity major) within 5 s, a breach within a test; a P3 (minor)
# within 15 s, time enough for its webhook to arrive first on a busy machine.
ACKNOWLEDGE = {"P2": "5s", "P3": "15s"}
P2_COMMITTED = "5 seconds"
HOUR = dict.fromkeys(("P1", "P2", "P3", "P4", "P5"), "1h")


def dell(api_url: str) -> dict[str, Any]:
    """Dell's directory entry: cases by API for DELL-* error codes on clients with a contract."""
    return {
        "id": "dell",
        "name": "Dell",
        "covers": ["poweredge", "powervault"],
        "api": {
            "preset": "servicenow",
            "url": api_url,
            "auth_secret": "dell-api",
            "webhook_secret": "dell-webhook",
            "timeout": "10s",
        },
        "requires": [
            {"name": "service_tag", "label": "Service tag", "source": "ticket.labels.service_tag"},
            {"name": "error_code", "label": "Error code", "source": "ticket.error_codes"},
            {
                "name": "customer_number",
                "label": "Customer number",
                "source": "client.account.customer_number",
            },
        ],
        "engage_when": {"error_codes": ["DELL-*"]},
        "commitment": {"acknowledge": ACKNOWLEDGE, "resolve": {"P2": "1h", "P3": "1h"}},
    }


SYNOLOGY_SUPPORT = "nas-support@vendor.example"
ACME_SYNOLOGY_ACCOUNT = "SYN-ACME-0091"
NAS_SERIAL = "2150QWR004417"


def synology() -> dict[str, Any]:
    """A vendor reached by email only: cases for SYNO-* error codes, every field known."""
    return {
        "id": "synology",
        "name": "Synology",
        "covers": ["nas"],
        "support_email": SYNOLOGY_SUPPORT,
        "requires": [
            {"name": "serial", "label": "Serial number", "source": "ticket.labels.serial"},
            {"name": "error_code", "label": "Error code", "source": "ticket.error_codes"},
            {"name": "account", "label": "Account", "source": "client.account.account"},
            {"name": "site", "label": "Device", "source": "ticket.device"},
        ],
        "engage_when": {"error_codes": ["SYNO-*"]},
        "commitment": {"acknowledge": HOUR, "resolve": HOUR},
    }


def dell_config(api_url: str) -> dict[str, Any]:
    """The example's vendors and Dell; ACME has a Dell contract and an address for updates;
    tickets' own SLA targets are long, so the only breaches are the vendor's."""
    example = yaml.safe_load((REPO / "deploy/config/example.yaml").read_text())
    clients: list[dict[str, Any]] = example["clients"]
    acme = next(c for c in clients if c["id"] == "acme")
    acme["vendor_accounts"]["dell"] = {"customer_number": ACME_DELL_CUSTOMER}
    acme["update_contacts"] = [UPDATE_CONTACT]
    policies = [
        {"id": p["id"], "response": HOUR, "resolution": HOUR} for p in example["sla_policies"]
    ]
    return {
        "vendors": [*example["vendors"], dell(api_url)],
        "clients": clients,
        "sla_policies": policies,
    }


def with_synology(config: dict[str, Any]) -> dict[str, Any]:
    """`dell_config`'s configuration with Synology too, ACME holding an account there."""
    acme = next(c for c in config["clients"] if c["id"] == "acme")
    acme["vendor_accounts"]["synology"] = {"account": ACME_SYNOLOGY_ACCOUNT}
    return {**config, "vendors": [*config["vendors"], synology()]}


def gateway_env(lease_seconds: float) -> dict[str, str]:
    """The vendor secrets, a lease of `lease_seconds` and quick retries."""
    secrets = {"dell-api": DELL_API_AUTHORIZATION, "dell-webhook": DELL_WEBHOOK_TOKEN}
    return {
        "ESCALATOR_VENDOR_SECRETS": json.dumps(secrets),
        "ESCALATOR_CASE_LEASE_SECONDS": str(lease_seconds),
        "ESCALATOR_CASE_RETRY_BASE_SECONDS": "0.2",
    }


@contextmanager
def running_vendor_api() -> Iterator[VendorApiStub]:
    """Dell's API, checking our authorization header, for a module's system."""
    stub = VendorApiStub(authorization=DELL_API_AUTHORIZATION)
    stub.start()
    try:
        yield stub
    finally:
        stub.stop()


def alert_title() -> str:
    """A title no other test's alert has (a stub's plan can pick its case by it)."""
    return f"PSU redundancy lost on srv-{unique_suffix()}"


def dell_alert(system: RunningSystem, title: str, severity: str = "major") -> str:
    """A PowerEdge hardware alert with a DELL- error code, on a device of its own; its ticket."""
    return system.post_alert(
        {
            "title": title,
            "severity": severity,
            "device": title.rsplit(" ", 1)[-1],
            "labels": {"service_tag": SERVICE_TAG},
            "error_codes": ["DELL-PSU-0042"],
        }
    )


def gateway(system: RunningSystem) -> httpx.Client:
    """A client for the vendor gateway's API."""
    return httpx.Client(base_url=system.services["vendor-gateway"].url, timeout=10)


def vendor_cases(system: RunningSystem, ticket_id: str) -> list[dict[str, Any]]:
    """`GET /v1/vendor-cases?ticket_id=` as a technician sees it."""
    with gateway(system) as client:
        response = client.get(
            "/v1/vendor-cases", params={"ticket_id": ticket_id}, headers=TECHNICIAN
        )
    assert response.status_code == 200, response.text
    cases: list[dict[str, Any]] = response.json()
    return cases


def wait_for_case(
    system: RunningSystem, ticket_id: str, status: str, vendor: str = "dell", within: float = 30
) -> dict[str, Any]:
    """Poll the ticket's case with `vendor` until it is in `status`."""

    def in_status() -> dict[str, Any] | None:
        found = [c for c in vendor_cases(system, ticket_id) if c["vendor"] == vendor]
        return found[0] if found and found[0]["status"] == status else None

    return eventually(
        in_status,
        within,
        f"ticket {ticket_id} has no {status} case with {vendor}",
        detail=lambda: str(vendor_cases(system, ticket_id)),
    )


def vendor_webhook(
    system: RunningSystem, body: dict[str, Any], token: str = DELL_WEBHOOK_TOKEN
) -> httpx.Response:
    """Dell's system telling us about a case (`POST /v1/vendor-webhooks/dell`)."""
    with gateway(system) as client:
        return client.post(
            "/v1/vendor-webhooks/dell", json=body, headers={"Authorization": f"Bearer {token}"}
        )
