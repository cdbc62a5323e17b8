"""A real program the tests run as a peer (Prometheus, Alertmanager): started on a free port
with its log in the work directory, ready once its readiness URL answers 200."""

from __future__ import annotations

import subprocess
import time
from pathlib import Path

import httpx

from tests.harness.processes import free_port


class Daemon:
    """`run(args)` starts it; `stop()` ends it; `log_tail()` for failure messages."""

    def __init__(self, name: str, workdir: Path, ready_path: str = "/-/ready") -> None:
        self.name = name
        self.port = free_port()
        self.workdir = workdir
        self._ready_path = ready_path
        self._process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        """Base URL of its HTTP API."""
        return f"http://127.0.0.1:{self.port}"

    @property
    def log(self) -> Path:
        """Where its output goes."""
        return self.workdir / f"{self.name}.log"

    def run(self, args: list[str], within: float = 30) -> None:
        """Start the program and wait until it is ready."""
        with self.log.open("wb") as log:
            self._process = subprocess.Popen(args, stdout=log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + within
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{self.url}{self._ready_path}", timeout=1).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
        raise AssertionError(f"{self.name} not ready: {self.log_tail()}")

    def stop(self) -> None:
        """Terminate it."""
        if self._process and self._process.poll() is None:
            self._process.terminate()
            self._process.wait(timeout=15)

    def log_tail(self) -> str:
        """The end of its log."""
        return self.log.read_text(errors="replace")[-3000:] if self.log.exists() else "(no log)"
