"""Extra API-only intake instances share one port (SO_REUSEPORT); the first intake makes tickets."""

from __future__ import annotations

import time
from collections.abc import Iterator

import httpx
import pytest

from tests.e2e.conftest import INTEGRATION, RunningSystem
from tests.harness.processes import ServiceProcess, free_port

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def api_instances(system: RunningSystem) -> Iterator[list[ServiceProcess]]:
    """Two API-only intakes bound to one shared port, beside the system's own intake."""
    shared_port = free_port()
    env = {
        **system.services["intake"].env,
        "ESCALATOR_CONSUMERS": "false",
        "ESCALATOR_SMTP_LISTEN_PORT": "0",
        "ESCALATOR_HTTP_REUSE_PORT": "true",
    }
    log_dir = system.services["intake"].log_dir
    instances = [
        ServiceProcess("intake", env, log_dir / f"api-{n}", port=shared_port) for n in range(2)
    ]
    try:
        for instance in instances:
            instance.log_dir.mkdir(parents=True, exist_ok=True)
            instance.start()
            instance.wait_ready()
        yield instances
    finally:
        for instance in instances:
            instance.stop()


def test_alerts_posted_to_api_only_instances_become_tickets(
    system: RunningSystem, api_instances: list[ServiceProcess]
) -> None:
    # Readiness may be answered by the other instance on the shared port; a second instance that
    # could not bind the port exits within moments of its start, so look again a little later.
    time.sleep(1.5)
    assert all(i.process is not None and i.process.poll() is None for i in api_instances)
    ticket_ids = []
    with httpx.Client(base_url=api_instances[0].url, timeout=10) as client:
        for n in range(20):
            response = client.post(
                f"/v1/webhooks/{INTEGRATION}",
                json={
                    "title": f"Shared-port alert {n}",
                    "severity": "info",
                    "dedup_key": f"sp-{n}",
                },
                headers={"Authorization": "Bearer dev-token-acme-monitoring"},
            )
            assert response.status_code == 202, response.text
            ticket_ids.append(response.json()["ticket_id"])
    for ticket_id in ticket_ids:
        system.wait_for_ticket(ticket_id, until="TicketOpened")
