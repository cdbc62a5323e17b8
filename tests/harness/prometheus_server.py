"""A real Prometheus (Debian's package) scraping the services under test every second, with the
project's alerting rules loaded; its HTTP API answers PromQL as Grafana would ask it."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import httpx
import yaml

from tests.harness.daemon import Daemon

RULES = Path(__file__).resolve().parents[2] / "deploy" / "prometheus" / "rules"


def prometheus_binary() -> str | None:
    """Debian installs it as prometheus."""
    return shutil.which("prometheus")


class PrometheusServer(Daemon):
    """Start with `start()`; `query` evaluates an instant query, `rules` lists the rules."""

    def __init__(self, workdir: Path, targets: list[str]) -> None:
        super().__init__("prometheus", workdir)
        self._targets = targets

    def start(self) -> None:
        """Write its configuration and run it until /-/ready answers."""
        binary = prometheus_binary()
        assert binary, "prometheus is not installed"
        config = {
            "global": {"scrape_interval": "1s", "evaluation_interval": "1s"},
            "rule_files": [str(path) for path in sorted(RULES.glob("*.yml"))],
            "scrape_configs": [
                {"job_name": "escalator", "static_configs": [{"targets": self._targets}]}
            ],
        }
        config_path = self.workdir / "prometheus.yml"
        config_path.write_text(yaml.safe_dump(config))
        self.run(
            [
                binary,
                f"--config.file={config_path}",
                f"--storage.tsdb.path={self.workdir / 'prometheus-data'}",
                f"--web.listen-address=127.0.0.1:{self.port}",
            ]
        )

    def query(self, expr: str) -> list[dict[str, Any]]:
        """The instant vector (or scalar as one sample) `expr` gives now; AssertionError with
        Prometheus's own message when it refuses the query."""
        answer = httpx.get(f"{self.url}/api/v1/query", params={"query": expr}, timeout=10)
        body = answer.json()
        assert body.get("status") == "success", f"{expr}: {body.get('error', answer.text)}"
        data = body["data"]
        if data["resultType"] in ("scalar", "string"):
            return [{"metric": {}, "value": data["result"]}]
        result: list[dict[str, Any]] = data["result"]
        return result

    def rules(self) -> list[dict[str, Any]]:
        """Every loaded rule with its health and last error."""
        body = httpx.get(f"{self.url}/api/v1/rules", timeout=10).json()
        return [rule for group in body["data"]["groups"] for rule in group["rules"]]
