"""What the benchmarks' HTTP stand-ins share: a process started and awaited, a JSON answer in
raw ASGI, a fast server, and the percentiles the reports print."""

from __future__ import annotations

import contextlib
import json
import statistics
import subprocess
import sys
import time
from collections.abc import Awaitable, Callable
from typing import Any

import httpx
import uvicorn

from tests.harness.environment import REPO
from tests.harness.processes import free_port

Scope = dict[str, Any]
Receive = Callable[[], Awaitable[dict[str, Any]]]
Send = Callable[[dict[str, Any]], Awaitable[None]]


def start_stub(stack: contextlib.ExitStack, module: str, *args: str) -> str:
    """Run `python -m module --port P *args` until `stack` closes; its base URL once its
    `/stats` answers."""
    port = free_port()
    process = subprocess.Popen([sys.executable, "-m", module, "--port", str(port), *args], cwd=REPO)
    stack.callback(process.kill)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        with contextlib.suppress(httpx.HTTPError):
            if httpx.get(f"{url}/stats", timeout=1).status_code == 200:
                return url
        time.sleep(0.1)
    raise RuntimeError(f"{module} did not answer on {url}/stats")


async def answer_json(send: Send, status: int, body: dict[str, Any]) -> None:
    """Send a JSON response from a raw ASGI app."""
    data = json.dumps(body).encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [(b"content-type", b"application/json")],
        }
    )
    await send({"type": "http.response.body", "body": data})


def serve(app: Any, port: int) -> None:
    """Serve a raw ASGI app fast (httptools, uvloop), quietly, until killed."""
    uvicorn.run(
        app,
        host="127.0.0.1",
        port=port,
        log_level="warning",
        access_log=False,
        http="httptools",
        loop="uvloop",
    )


def percentiles(values: list[float]) -> str:
    """p50, p95, p99 and max of durations in seconds, as milliseconds."""
    if not values:
        return "none"
    ordered = sorted(values)
    # Inclusive quantiles of one value are that value; `quantiles` wants two.
    cut = statistics.quantiles(
        ordered * 2 if len(ordered) == 1 else ordered, n=100, method="inclusive"
    )

    def ms(v: float) -> str:
        return f"{v * 1000:.1f}"

    return (
        f"p50 {ms(cut[49])} ms, p95 {ms(cut[94])} ms, p99 {ms(cut[98])} ms, "
        f"max {ms(ordered[-1])} ms"
    )
