"""Open-loop load at a fixed rate with vegeta: latency as a sender at that rate sees it.

wrk is closed-loop (each connection waits for its answer before sending the next request), so
its percentiles at saturation say little about latency at a given rate. vegeta sends on a fixed
schedule whatever the answers do, which is how monitoring systems post.
"""

from __future__ import annotations

import base64
import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

VEGETA_MODULE = "github.com/tsenart/vegeta/v12@v12.12.0"


def vegeta_binary() -> str | None:
    """vegeta on PATH or in Go's bin directory (`go install` puts it there)."""
    found = shutil.which("vegeta")
    if found:
        return found
    gopath = Path.home() / "go" / "bin" / "vegeta"
    return str(gopath) if gopath.exists() else None


def ensure_vegeta() -> str | None:
    """vegeta, installed with `go install` (pinned) when Go is there; None without Go."""
    found = vegeta_binary()
    if found:
        return found
    go = shutil.which("go") or (
        "/usr/local/go/bin/go" if Path("/usr/local/go/bin/go").exists() else None
    )
    if go is None:
        return None
    subprocess.run([go, "install", VEGETA_MODULE], check=True, capture_output=True)
    return vegeta_binary()


def write_targets(path: Path, url: str, token: str, count: int) -> Path:
    """`count` generic alerts, each with its own dedup key, as vegeta's JSON targets."""
    with path.open("w") as out:
        for n in range(count):
            body = json.dumps(
                {
                    "title": "Disk C: 95% full",
                    "severity": "major",
                    "device": "srv-01",
                    "dedup_key": f"fixed-rate-{n}",
                }
            ).encode()
            target = {
                "method": "POST",
                "url": url,
                "header": {
                    "Authorization": [f"Bearer {token}"],
                    "Content-Type": ["application/json"],
                },
                "body": base64.b64encode(body).decode(),
            }
            out.write(json.dumps(target) + "\n")
    return path


def attack(vegeta: str, targets: Path, rate: int, seconds: float) -> dict[str, Any]:
    """Run vegeta at `rate` requests/s for `seconds`; its JSON report."""
    attack_run = subprocess.run(
        [
            vegeta,
            "attack",
            "-format=json",
            f"-targets={targets}",
            f"-rate={rate}/s",
            f"-duration={seconds:g}s",
            "-max-workers=2000",
        ],
        check=True,
        capture_output=True,
    )
    report = subprocess.run(
        [vegeta, "report", "-type=json"],
        input=attack_run.stdout,
        check=True,
        capture_output=True,
    )
    result: dict[str, Any] = json.loads(report.stdout)
    return result


def figures(label: str, report: dict[str, Any]) -> str:
    """One line: achieved rate, p50/p99/max latency, success ratio and status codes."""
    latencies = report["latencies"]

    def ms(key: str) -> str:
        return f"{latencies[key] / 1e6:.1f}ms"

    return (
        f"{label:<36} {report['throughput']:>9.0f} alerts/s   p50 {ms('50th'):>8}   "
        f"p99 {ms('99th'):>8}   max {ms('max')}   success {report['success'] * 100:.2f}%   "
        f"codes {report['status_codes']}"
    )
