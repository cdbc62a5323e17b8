"""A real Prometheus Alertmanager fires and resolves alerts against intake."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.conftest import RunningSystem
from tests.harness.alertmanager import Alertmanager, alertmanager_binary
from tests.harness.isolation import unique_suffix
from tests.harness.waiting import eventually

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(
        alertmanager_binary() is None,
        reason="prometheus-alertmanager is not installed (make test installs it when root)",
    ),
]

AM_INTEGRATION = "acme-prometheus"
AM_TOKEN = "dev-token-acme-prometheus"


@pytest.fixture(scope="module")
def alertmanager(
    system: RunningSystem, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Alertmanager]:
    """Alertmanager routing every alert to intake's Alertmanager integration."""
    manager = Alertmanager(
        tmp_path_factory.mktemp("alertmanager"),
        f"{system.services['intake'].url}/v1/webhooks/{AM_INTEGRATION}",
        AM_TOKEN,
    )
    manager.start()
    yield manager
    manager.stop()


def _tickets_for(system: RunningSystem, alertname: str) -> list[dict[str, Any]]:
    tickets = system.tickets(integration=AM_INTEGRATION)
    return [t for t in tickets if t["labels"].get("alertname") == alertname]


def test_alertmanager_firing_opens_tickets_and_resolving_closes_them(
    system: RunningSystem, alertmanager: Alertmanager, tmp_path: Path
) -> None:
    alertname = f"DiskAlmostFull{unique_suffix()}"
    alerts = [
        {
            "labels": {
                "alertname": alertname,
                "client": "acme",
                "instance": host,
                "severity": "critical",
            },
            "annotations": {
                "summary": f"Disk almost full on {host}",
                "description": "/dev/sda1 is 93% full",
            },
        }
        for host in ("fs01:9100", "fs02:9100")
    ]
    alertmanager.fire(alerts)
    opened = eventually(
        lambda: len(_tickets_for(system, alertname)) == 2 and _tickets_for(system, alertname),
        30,
        "two tickets did not open",
        detail=alertmanager.log_tail,
    )
    by_device = {t["device"]: t for t in opened}
    assert set(by_device) == {"fs01:9100", "fs02:9100"}
    assert by_device["fs01:9100"]["title"] == "Disk almost full on fs01:9100"
    assert by_device["fs01:9100"]["priority"] == "P1"
    assert by_device["fs01:9100"]["client_id"] == "acme"

    alertmanager.resolve(alerts[:1])
    eventually(
        lambda: (
            {t["device"]: t["status"] for t in _tickets_for(system, alertname)}
            == {"fs01:9100": "resolved", "fs02:9100": "new"}
        ),
        30,
        "the first ticket was not resolved alone",
        detail=alertmanager.log_tail,
    )
