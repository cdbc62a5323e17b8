"""The running system: five service processes on the real broker and database, an SMTP sink."""

from __future__ import annotations

import smtplib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml

from tests.harness.chat_receivers import ChatReceivers
from tests.harness.environment import REPO, Infrastructure
from tests.harness.isolation import Namespace, unique_suffix
from tests.harness.processes import SERVICES, ServiceProcess, free_port
from tests.harness.smtp_sink import SmtpSink
from tests.harness.waiting import eventually

pytestmark = pytest.mark.e2e

STAFF_TOKEN = "dev-staff-token-alice"
INTEGRATION = "acme-monitoring"
INTEGRATION_TOKEN = "dev-token-acme-monitoring"
HEARTBEAT_INTEGRATION = "acme-backup-job"
HEARTBEAT_TOKEN = "dev-token-acme-backup-job"
# One integration per sender type, for the sample bodies in tests/fixtures/payloads.
SENDER_INTEGRATIONS: list[dict[str, Any]] = [
    {
        "id": "globex-grafana",
        "type": "grafana",
        "token": "dev-token-globex-grafana",
        "client": "acme",
        "client_label": "client",
        "clients": ["acme", "globex"],
        "signing_secret": "grafana-signing-secret",
    },
    {
        "id": "pagerduty-compatible",
        "type": "pagerduty",
        "token": "R0123456789abcdef0123456789abcd",
        "client": "acme",
    },
    {
        "id": "zabbix",
        "type": "zabbix",
        "token": "zbx-integration-token",
        "client": "acme",
        "client_label": "client",
        "clients": ["acme", "initech"],
    },
    {
        "id": "ninjaone",
        "type": "ninjaone",
        "token": "dev-token-ninjaone",
        "client": "globex",
        "client_label": "organization",
        "clients_by_value": {"ACME Corp": "acme"},
    },
    {
        "id": "acme-limited",
        "type": "generic",
        "token": "dev-token-acme-limited",
        "client": "acme",
        "rate_limit_per_second": 1,
        "rate_limit_burst": 2,
    },
    {
        "id": "datto",
        "type": "datto",
        "token": "dev-token-datto",
        "client": "acme",
        "client_label": "site",
        "clients_by_value": {"Globex - Springfield": "globex"},
    },
]
# Short response targets so that breaches happen within a test. P4 (severity warning) leaves time
# to acknowledge first on a busy machine; P5 (info) stays long for load tests.
TEST_RESPONSE_TARGETS = {"P1": "4s", "P2": "4s", "P3": "4s", "P4": "8s", "P5": "8h"}


def write_test_config(directory: Path, overrides: dict[str, Any] | None = None) -> Path:
    """The example configuration with response targets short enough to breach in a test.

    `overrides` replaces top-level sections (a module's `config_overrides` fixture).
    """
    config: dict[str, Any] = yaml.safe_load((REPO / "deploy/config/example.yaml").read_text())
    for policy in config["sla_policies"]:
        policy["response"] = dict(TEST_RESPONSE_TARGETS)
    config["integrations"].append(
        {
            "id": HEARTBEAT_INTEGRATION,
            "type": "generic",
            "token": HEARTBEAT_TOKEN,
            "client": "acme",
            "heartbeat_every": "3s",
        }
    )
    config["integrations"].extend(SENDER_INTEGRATIONS)
    # Globex wants recoveries left to a technician (tests/e2e/test_storms.py).
    next(c for c in config["clients"] if c["id"] == "globex")["on_recovery"] = "flag"
    # Rotations pinned to their first member, so who is on call does not depend on the date.
    for schedule in config["schedules"]:
        schedule["overrides"] = []
        for layer in schedule["layers"]:
            layer["members"] = layer["members"][:1]
    # No Slack, Teams or SMS stand-ins run here: tests that want them configure their own.
    config["notifications"].pop("sms", None)
    config["notifications"]["webhooks"] = {}
    config.update(overrides or {})
    path = directory / "config.yaml"
    path.write_text(yaml.safe_dump(config))
    return path


@dataclass
class RunningSystem:
    """Handles on the running services and the mail they send."""

    services: dict[str, ServiceProcess]
    smtp: SmtpSink
    namespace: Namespace
    kafka_bootstrap_servers: str
    database_url: str
    # Where intake's own SMTP listener (inbound mail) listens.
    intake_smtp_port: int

    @property
    def intake(self) -> httpx.Client:
        """A client for intake's API."""
        return httpx.Client(base_url=self.services["intake"].url, timeout=10)

    def post_alert(self, body: dict[str, Any]) -> str:
        """Post a generic alert as the example integration; returns the ticket id."""
        with self.intake as client:
            response = client.post(
                f"/v1/webhooks/{INTEGRATION}",
                json=body,
                headers={"Authorization": f"Bearer {INTEGRATION_TOKEN}"},
            )
        assert response.status_code == 202, response.text
        ticket_id: str = response.json()["ticket_id"]
        return ticket_id

    def send_email(self, raw: bytes, mail_from: str, to: str = "support@msp.example") -> str:
        """Hand a raw message to intake's SMTP listener with a real SMTP client; its email id."""
        with smtplib.SMTP("127.0.0.1", self.intake_smtp_port, timeout=10) as client:
            client.ehlo()
            assert client.mail(mail_from)[0] == 250
            assert client.rcpt(to)[0] == 250
            code, reply = client.data(raw)
        assert code == 250, reply
        return reply.decode().rsplit("stored as ", 1)[1].strip()

    def ticket(self, ticket_id: str) -> dict[str, Any] | None:
        """The ticket view, or None while it does not exist yet."""
        with self.intake as client:
            response = client.get(
                f"/v1/tickets/{ticket_id}", headers={"Authorization": f"Bearer {STAFF_TOKEN}"}
            )
        if response.status_code == 404:
            return None
        assert response.status_code == 200, response.text
        view: dict[str, Any] = response.json()
        return view

    def tickets(self, page_size: int = 20, **params: Any) -> list[dict[str, Any]]:
        """Every ticket `GET /v1/tickets` lists for these filters, following the pages."""
        found: list[dict[str, Any]] = []
        cursor = None
        with self.intake as client:
            while True:
                query = {**params, "limit": page_size, **({"cursor": cursor} if cursor else {})}
                response = client.get(
                    "/v1/tickets", params=query, headers={"Authorization": f"Bearer {STAFF_TOKEN}"}
                )
                assert response.status_code == 200, response.text
                page = response.json()
                found.extend(page["tickets"])
                cursor = page["next_cursor"]
                if cursor is None:
                    return found

    def wait_for_ticket(self, ticket_id: str, until: str, within: float = 20.0) -> dict[str, Any]:
        """Poll the ticket until its timeline has an event of type `until`."""

        def showing() -> dict[str, Any] | None:
            view = self.ticket(ticket_id)
            return view if view and any(e["event"] == until for e in view["timeline"]) else None

        return eventually(
            showing,
            within,
            f"ticket {ticket_id} showed no {until}",
            detail=lambda: str(self.ticket(ticket_id)),
        )


@pytest.fixture(scope="module")
def chat() -> Iterator[ChatReceivers]:
    """Slack, Teams and SMS stand-ins, for modules whose configuration points at them."""
    receivers = ChatReceivers()
    receivers.start()
    yield receivers
    receivers.stop()


@pytest.fixture(scope="module")
def config_overrides() -> dict[str, Any]:
    """Top-level configuration sections a module replaces (override this fixture there)."""
    return {}


@pytest.fixture(scope="module")
def service_env_overrides() -> dict[str, str]:
    """Environment every service gets on top of the defaults (override this fixture there)."""
    return {}


@pytest.fixture(scope="module")
def system(
    infrastructure: Infrastructure,
    database_url: str,
    tmp_path_factory: pytest.TempPathFactory,
    config_overrides: dict[str, Any],
    service_env_overrides: dict[str, str],
) -> Iterator[RunningSystem]:
    """Start all five services (and an SMTP sink) for the module's tests."""
    workdir = tmp_path_factory.mktemp("system")
    intake_smtp_port = free_port()
    namespace = Namespace(unique_suffix())
    smtp = SmtpSink(free_port())
    smtp.start()
    common = {
        "ESCALATOR_ENVIRONMENT": "test",
        "ESCALATOR_KAFKA_BOOTSTRAP_SERVERS": infrastructure.kafka_bootstrap_servers,
        "ESCALATOR_DATABASE_URL": database_url,
        "ESCALATOR_TOPIC_PREFIX": namespace.topic_prefix,
        "ESCALATOR_TOPIC_PARTITIONS": "3",
        "ESCALATOR_CONFIG": str(write_test_config(workdir, config_overrides)),
        "ESCALATOR_SMTP_PORT": str(smtp.port),
        "ESCALATOR_SMTP_LISTEN_PORT": str(intake_smtp_port),
        "ESCALATOR_CONSUMER_RETRY_BASE_SECONDS": "0.05",
        **service_env_overrides,
    }
    services = {
        name: ServiceProcess(
            name, {**common, "ESCALATOR_DATABASE_SCHEMA": namespace.schema(name)}, workdir
        )
        for name in SERVICES
    }
    try:
        for service in services.values():
            service.start()
        for service in services.values():
            service.wait_ready()
        yield RunningSystem(
            services,
            smtp,
            namespace,
            infrastructure.kafka_bootstrap_servers,
            database_url,
            intake_smtp_port,
        )
    finally:
        for service in services.values():
            service.stop()
        smtp.stop()
