"""A real Prometheus Alertmanager (Debian's package) posting its webhooks to intake."""

from __future__ import annotations

import shutil
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import yaml

from tests.harness.daemon import Daemon


def alertmanager_binary() -> str | None:
    """Debian installs it as prometheus-alertmanager; upstream as alertmanager."""
    return shutil.which("prometheus-alertmanager") or shutil.which("alertmanager")


class Alertmanager(Daemon):
    """Start with `start()`; `fire` and `resolve` push alerts through its API v2."""

    def __init__(self, workdir: Path, webhook_url: str, token: str) -> None:
        super().__init__("alertmanager", workdir)
        self._webhook_url = webhook_url
        self._token = token

    def start(self) -> None:
        """Write its configuration and run it, without clustering, until /-/ready answers."""
        binary = alertmanager_binary()
        assert binary, "prometheus-alertmanager is not installed"
        config = {
            "route": {
                "receiver": "escalator",
                "group_by": ["alertname", "instance"],
                "group_wait": "1s",
                "group_interval": "1s",
                "repeat_interval": "1h",
            },
            "receivers": [
                {
                    "name": "escalator",
                    "webhook_configs": [
                        {
                            "url": self._webhook_url,
                            "send_resolved": True,
                            "http_config": {
                                "authorization": {"type": "Bearer", "credentials": self._token}
                            },
                        }
                    ],
                }
            ],
        }
        config_path = self.workdir / "alertmanager.yml"
        config_path.write_text(yaml.safe_dump(config))
        self.run(
            [
                binary,
                f"--config.file={config_path}",
                f"--storage.path={self.workdir / 'alertmanager-data'}",
                f"--web.listen-address=127.0.0.1:{self.port}",
                "--cluster.listen-address=",
            ]
        )

    def fire(self, alerts: list[dict[str, Any]]) -> None:
        """Post alerts (labels, annotations) as firing now."""
        now = datetime.now(UTC)
        body = [{**a, "startsAt": now.isoformat()} for a in alerts]
        httpx.post(f"{self.url}/api/v2/alerts", json=body, timeout=5).raise_for_status()

    def resolve(self, alerts: list[dict[str, Any]]) -> None:
        """Post the same alerts with an end time in the past: Alertmanager resolves them."""
        ended = datetime.now(UTC) - timedelta(seconds=1)
        body = [{**a, "endsAt": ended.isoformat()} for a in alerts]
        httpx.post(f"{self.url}/api/v2/alerts", json=body, timeout=5).raise_for_status()
