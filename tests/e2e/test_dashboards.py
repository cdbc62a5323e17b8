"""Every query of every provisioned Grafana dashboard parses as PromQL (Prometheus's own
`promtool`) and names only series the running services export, so a renamed metric cannot
leave a panel silently empty."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml
from prometheus_client.parser import text_string_to_metric_families

from tests.e2e.conftest import RunningSystem
from tests.e2e.service_metrics import metric_sum
from tests.e2e.sla_clock_api import staff_post
from tests.harness.prometheus_server import PrometheusServer, prometheus_binary
from tests.harness.waiting import eventually

DASHBOARDS = Path(__file__).resolve().parents[2] / "deploy" / "grafana" / "dashboards"
PROMTOOL = shutil.which("promtool")
# What Grafana puts in place of its variables before Prometheus sees a query.
GRAFANA_VARIABLES = {
    "$__rate_interval": "1m",
    "$__interval": "1m",
    "$__range": "1h",
}
OUR_SERIES = re.compile(r"\bescalator_[a-z0-9_]+\b")
# Sample names a family of each type writes.
SUFFIXES = {
    "counter": ("_total", "_created"),
    "gauge": ("",),
    "histogram": ("_bucket", "_sum", "_count", "_created"),
    "summary": ("", "_sum", "_count", "_created"),
    "info": ("_info",),
}


def _queries() -> Iterator[tuple[str, str]]:
    """(where, query) of every panel target and query variable of every dashboard."""
    for path in sorted(DASHBOARDS.glob("*.json")):
        board = json.loads(path.read_text())
        for panel in board["panels"]:
            for target in panel.get("targets", []):
                yield f"{path.name}: {panel['title']} ({target['refId']})", target["expr"]
        for variable in board.get("templating", {}).get("list", []):
            if variable.get("type") == "query":
                yield f"{path.name}: variable {variable['name']}", variable["definition"]


def _as_promql(query: str) -> str:
    for name, value in GRAFANA_VARIABLES.items():
        query = query.replace(name, value)
    query = re.sub(r"\$\{?[a-z_]+\}?", ".*", query)  # the dashboard's own variables
    found = re.fullmatch(r"label_values\((?:(.+), )?([a-z_]+)\)", query)
    return found.group(1) or "up" if found else query


def _panels() -> Iterator[tuple[str, str]]:
    """(title, query) of every panel target of the Service desk dashboard."""
    board = json.loads((DASHBOARDS / "escalator-service-desk.json").read_text())
    for panel in board["panels"]:
        for target in panel.get("targets", []):
            yield panel["title"], target["expr"]


def _for_client(query: str, client: str) -> str:
    return _as_promql(query.replace("$client", client))


def _exported(system: RunningSystem) -> set[str]:
    names: set[str] = set()
    for service in system.services.values():
        text = httpx.get(f"{service.url}/metrics", timeout=5).text
        for family in text_string_to_metric_families(text):
            names.update(family.name + suffix for suffix in SUFFIXES.get(family.type, ("",)))
    return names


@pytest.fixture(scope="module")
def service_env_overrides() -> dict[str, str]:
    """The backlog gauge counted often enough to watch it move."""
    return {"ESCALATOR_BACKLOG_SECONDS": "0.2"}


def test_there_are_dashboards_with_queries() -> None:
    assert len(list(_queries())) > 20


@pytest.mark.skipif(PROMTOOL is None, reason="promtool missing (apt-get install prometheus)")
def test_every_dashboard_query_parses(tmp_path: Path) -> None:
    assert PROMTOOL is not None
    queries = list(_queries())
    rules: dict[str, Any] = {
        "groups": [
            {
                "name": "dashboard-queries",
                "rules": [
                    {"record": f"dashboard:query_{i}", "expr": _as_promql(query)}
                    for i, (_, query) in enumerate(queries)
                ],
            }
        ]
    }
    (tmp_path / "queries.yml").write_text(yaml.safe_dump(rules))
    done = subprocess.run(
        [PROMTOOL, "check", "rules", str(tmp_path / "queries.yml")],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert f"SUCCESS: {len(queries)} rules found" in done.stdout


def test_every_dashboard_query_names_series_the_services_export(system: RunningSystem) -> None:
    exported = _exported(system)
    unknown = [
        (where, name)
        for where, query in _queries()
        for name in OUR_SERIES.findall(query)
        if name not in exported
    ]
    assert unknown == []


def test_the_service_desk_series_carry_the_client(system: RunningSystem) -> None:
    intake, router, timer = (system.services[n] for n in ("intake", "router", "sla-timer"))
    ticket_id = system.post_alert({"title": "Backup failed on srv-files-01", "severity": "major"})
    system.wait_for_ticket(ticket_id, until="SlaClockStarted")
    # The backlog gauge counts it open, under its client, priority and status.
    open_now = {"client": "acme", "priority": "P2", "status": "new"}
    eventually(
        lambda: metric_sum(intake, "escalator_tickets_open", **open_now) == 1,
        within=10,
        what="the open P2 ticket in escalator_tickets_open",
    )
    assert metric_sum(router, "escalator_tickets_routed_total", client="acme", priority="P2") >= 1
    assert metric_sum(router, "escalator_escalation_steps_total", client="acme", step="0") >= 1
    assert metric_sum(timer, "escalator_sla_clocks_started_total", client="acme") >= 2
    assert metric_sum(timer, "escalator_sla_clocks_started_total", client="globex") == 0
    staff_post(system, f"/v1/tickets/{ticket_id}/resolve", resolution="restarted the agent")
    # Resolved: the gauge drops to zero (the series stays, so a graph of it ends at 0).
    eventually(
        lambda: metric_sum(intake, "escalator_tickets_open", **open_now) == 0,
        within=10,
        what="the resolved ticket out of escalator_tickets_open",
    )
    assert "escalator_tickets_open{" in httpx.get(f"{intake.url}/metrics", timeout=5).text
    eventually(
        lambda: (
            metric_sum(
                timer, "escalator_sla_clocks_stopped_total", client="acme", outcome="fulfilled"
            )
            >= 1
        ),
        within=10,
        what="the resolution clock counted as stopped for acme",
    )


@pytest.fixture(scope="module")
def prometheus(
    system: RunningSystem, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[PrometheusServer]:
    """Debian's Prometheus scraping the five services every second, our rules loaded."""
    if prometheus_binary() is None:
        pytest.skip("prometheus missing (Debian: apt-get install prometheus)")
    targets = [service.url.removeprefix("http://") for service in system.services.values()]
    server = PrometheusServer(tmp_path_factory.mktemp("prometheus"), targets)
    server.start()
    try:
        yield server
    finally:
        server.stop()


def test_prometheus_answers_every_service_desk_panel_for_a_client(
    system: RunningSystem, prometheus: PrometheusServer
) -> None:
    eventually(
        lambda: len(prometheus.query('up{job="escalator"} == 1')) == len(system.services),
        within=20,
        what="Prometheus scraping all five services",
    )
    ticket_id = system.post_alert({"title": "Disk C: 95% full on srv-01", "severity": "major"})
    system.wait_for_ticket(ticket_id, until="SlaClockStarted")
    open_now = dict(_panels())["Open tickets now"]

    def open_for_acme() -> list[dict[str, Any]]:
        samples = prometheus.query(_for_client(open_now, "acme"))
        return [sample for sample in samples if float(sample["value"][1]) > 0]

    found = eventually(open_for_acme, within=20, what="the open ticket on the dashboard")
    assert float(found[0]["value"][1]) >= 1
    assert prometheus.query(_for_client(open_now, "globex")) == []  # none open for globex
    # Every panel's query runs on the real engine, for one client and for all of them.
    for _, query in _panels():
        for client in ("acme", ".*"):
            prometheus.query(_for_client(query, client))
    backlog = dict(_panels())["Backlog by priority"]
    by_priority = prometheus.query(_for_client(backlog, "acme"))
    priorities = {s["metric"].get("priority") for s in by_priority}
    assert "P2" in priorities

    # The alerting rules load and evaluate without error on the live series.
    def evaluated() -> list[dict[str, Any]] | None:
        rules = prometheus.rules()
        done = all(r.get("lastEvaluation", "").startswith("20") for r in rules)
        return rules if rules and done else None

    rules = eventually(evaluated, within=20, what="every alerting rule evaluated")
    assert {r["name"] for r in rules} >= {"EscalatorServiceDown", "EscalatorConsumerLagging"}
    assert [(r["name"], r.get("lastError")) for r in rules if r["health"] != "ok"] == []
