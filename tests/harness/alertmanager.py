"""A real Prometheus Alertmanager (Debian's package) posting its webhooks to intake."""

from __future__ import annotations

import shutil
import subprocess
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import yaml

from tests.harness.processes import free_port


def alertmanager_binary() -> str | None:
    """Debian installs it as prometheus-alertmanager; upstream as alertmanager."""
    return shutil.which("prometheus-alertmanager") or shutil.which("alertmanager")


class Alertmanager:
    """Start with `start()`; `fire` and `resolve` push alerts through its API v2."""

    def __init__(self, workdir: Path, webhook_url: str, token: str) -> None:
        self.port = free_port()
        self._workdir = workdir
        self._webhook_url = webhook_url
        self._token = token
        self._process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        """Base URL of its HTTP API."""
        return f"http://127.0.0.1:{self.port}"

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
        config_path = self._workdir / "alertmanager.yml"
        config_path.write_text(yaml.safe_dump(config))
        with (self._workdir / "alertmanager.log").open("wb") as log:
            self._process = subprocess.Popen(
                [
                    binary,
                    f"--config.file={config_path}",
                    f"--storage.path={self._workdir / 'alertmanager-data'}",
                    f"--web.listen-address=127.0.0.1:{self.port}",
                    "--cluster.listen-address=",
                ],
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{self.url}/-/ready", timeout=1).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
        raise AssertionError(f"Alertmanager not ready: {self.log_tail()}")

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

    def stop(self) -> None:
        """Terminate it."""
        if self._process and self._process.poll() is None:
            self._process.terminate()
            self._process.wait(timeout=15)

    def log_tail(self) -> str:
        """The end of its log."""
        path = self._workdir / "alertmanager.log"
        return path.read_text(errors="replace")[-3000:] if path.exists() else "(no log)"
