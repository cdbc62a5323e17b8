"""The router's read-outs over the running system: `GET /v1/schedules` (the on-call rota of the
example configuration, its real rotations and Christmas override) and the escalation diagram as
Graphviz DOT, each asked by real clients with the example's tokens."""

from __future__ import annotations

import subprocess
from typing import Any

import pytest
import yaml

from tests.e2e.conftest import STAFF_TOKEN, RunningSystem
from tests.e2e.service_api import call
from tests.harness.environment import REPO

pytestmark = pytest.mark.e2e

ALICE = {"Authorization": f"Bearer {STAFF_TOKEN}"}
GINA = {"Authorization": "Bearer dev-staff-token-gina"}
DANA = {"Authorization": "Bearer dev-contact-token-dana"}
CHRISTMAS_WEEK = {"from": "2026-12-21T09:00:00+00:00", "days": 7}


@pytest.fixture(scope="module")
def config_overrides() -> dict[str, Any]:
    """The example's schedules as written (the suite pins rotations to one member elsewhere)."""
    example = yaml.safe_load((REPO / "deploy/config/example.yaml").read_text())
    return {"schedules": example["schedules"]}


def _schedules(system: RunningSystem, who: dict[str, str], **params: Any) -> Any:
    return call(system, "router", "GET", "/v1/schedules", who, params=params)


def test_staff_read_the_rota_with_the_override(system: RunningSystem) -> None:
    answer = _schedules(system, ALICE, **CHRISTMAS_WEEK)
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["until"] == "2026-12-28T09:00:00+00:00"
    helpdesk = next(s for s in body["schedules"] if s["id"] == "helpdesk-oncall")
    assert helpdesk["teams"] == ["helpdesk"]
    assert [(s["person"], s["source"], s["start"]) for s in helpdesk["shifts"]] == [
        ("alice", "weekly", "2026-12-21T09:00:00+00:00"),
        ("dave", "override", "2026-12-24T09:00:00+00:00"),
        ("alice", "weekly", "2026-12-27T09:00:00+00:00"),
    ]
    assert [o["note"] for o in helpdesk["overrides"]] == ["Christmas swap"]
    assert helpdesk["now"]["person"] in {"alice", "dave"}
    assert helpdesk["next"]["person"] in {"alice", "dave"} - {helpdesk["now"]["person"]}


def test_one_person_and_a_scoped_technician(system: RunningSystem) -> None:
    mine = _schedules(system, GINA, person="grace", **CHRISTMAS_WEEK)
    assert mine.status_code == 200, mine.text
    shifts = {s["id"]: s["shifts"] for s in mine.json()["schedules"]}
    assert list(shifts) == ["helpdesk-oncall", "l2-oncall", "l3-oncall"]  # staff-wide
    assert shifts["helpdesk-oncall"] == shifts["l3-oncall"] == []
    assert shifts["l2-oncall"] == []  # Bob's week; Grace follows on the 28th
    later = _schedules(system, GINA, person="grace", **{**CHRISTMAS_WEEK, "days": 8})
    grace = next(s for s in later.json()["schedules"] if s["id"] == "l2-oncall")["shifts"]
    assert [(s["person"], s["start"]) for s in grace] == [("grace", "2026-12-28T09:00:00+00:00")]


@pytest.mark.parametrize(
    ("who", "params", "status", "error"),
    [
        (DANA, {}, 403, "forbidden"),
        (ALICE, {"from": "2026-12-21T09:00:00"}, 422, "naive_time"),
        (ALICE, {"days": 40}, 422, "invalid_days"),
        (ALICE, {"person": "nobody"}, 404, "unknown_person"),
    ],
)
def test_refusals(
    system: RunningSystem, who: dict[str, str], params: dict[str, Any], status: int, error: str
) -> None:
    answer = _schedules(system, who, **params)
    assert answer.status_code == status, answer.text
    assert answer.json()["error"] == error


def test_the_escalation_diagram_as_dot_renders(system: RunningSystem) -> None:
    path = "/v1/clients/globex/escalation-diagram"
    dot = call(system, "router", "GET", path, ALICE, params={"format": "dot"})
    unknown = call(system, "router", "GET", path, ALICE, params={"format": "svg"})
    assert dot.status_code == 200, dot.text
    assert dot.headers["content-type"].startswith("text/vnd.graphviz")
    assert 'label="globex-firewall-to-network\\nkeywords firewall, vpn, meraki"' in dot.text
    rendered = subprocess.run(
        ["/usr/bin/dot", "-Tsvg"], input=dot.text, capture_output=True, text=True, check=False
    )
    assert rendered.returncode == 0, rendered.stderr
    assert unknown.status_code == 422
    assert unknown.json()["error"] == "unknown_format"
