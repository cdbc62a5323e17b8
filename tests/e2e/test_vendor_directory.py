"""The vendor directory as the running vendor gateway serves it, with review flags."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml

from tests.e2e.conftest import RunningSystem
from tests.e2e.service_metrics import metric_sum
from tests.e2e.sla_clock_api import TECHNICIAN

pytestmark = pytest.mark.e2e

REPO = Path(__file__).parents[2]
REVIEWED_TODAY = datetime.now(UTC).date().isoformat()


@pytest.fixture(scope="module")
def config_overrides() -> dict[str, Any]:
    """The example's vendors: Microsoft's entry reviewed today, the ISP's long ago."""
    vendors: list[dict[str, Any]] = yaml.safe_load(
        (REPO / "deploy/config/example.yaml").read_text()
    )["vendors"]
    vendors[0]["last_reviewed"] = REVIEWED_TODAY
    vendors[1]["last_reviewed"] = "2025-01-15"
    return {"vendors": vendors}


def _get(system: RunningSystem, path: str, **params: Any) -> httpx.Response:
    gateway = system.services["vendor-gateway"]
    return httpx.get(f"{gateway.url}{path}", params=params, headers=TECHNICIAN, timeout=5)


def test_technicians_look_up_whom_to_call_and_what_the_vendor_needs(
    system: RunningSystem,
) -> None:
    response = _get(system, "/v1/vendors")
    assert response.status_code == 200
    microsoft, isp = response.json()
    assert (microsoft["id"], microsoft["opening_channel"]) == ("microsoft", "email")
    assert microsoft["clients_covered"] == ["acme"]
    assert [f["name"] for f in microsoft["requires"]][:2] == ["tenant_id", "partner_id"]
    assert microsoft["review"] == {"last_reviewed": REVIEWED_TODAY, "every_days": 91, "due": False}
    assert (isp["opening_channel"], isp["hotline"]["number"]) == ("phone", "+44 20 7946 0000")
    assert isp["review"]["due"] is True
    assert [v["id"] for v in _get(system, "/v1/vendors", review_due=True).json()] == ["fibrenet"]
    assert _get(system, "/v1/vendors/fibrenet").json() == isp


def test_the_directory_needs_a_staff_token_and_names_unknown_vendors(
    system: RunningSystem,
) -> None:
    gateway = system.services["vendor-gateway"]
    assert httpx.get(f"{gateway.url}/v1/vendors", timeout=5).status_code == 401
    missing = _get(system, "/v1/vendors/dell")
    assert missing.status_code == 404
    assert missing.json()["error"] == "unknown_vendor"


def test_entries_due_for_review_are_counted_for_dashboards(system: RunningSystem) -> None:
    gateway = system.services["vendor-gateway"]
    assert metric_sum(gateway, "escalator_vendor_directory_review_due") == 1
