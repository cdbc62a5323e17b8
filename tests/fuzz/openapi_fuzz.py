"""Schemathesis over each running service's OpenAPI, with a staff token: no answer may be a 5xx.

Each service is fuzzed by the schemathesis command (pinned in pyproject.toml) with the
`not_a_server_error` check, positive and negative data, a fixed seed and a budget of examples
per operation. `/metrics` is left out (a text page, no input).
"""

from __future__ import annotations

import asyncio
import re
import sys
from dataclasses import dataclass
from pathlib import Path

from deploy.local.supervise import SERVICES

STAFF_TOKEN = "dev-staff-token-alice"  # the example configuration's staff token
_COUNTS = re.compile(r"(\d+) generated")


@dataclass(frozen=True)
class OpenApiResult:
    """One service's run: the exit status, how many cases, and the output when it failed."""

    service: str
    status: int
    generated: int
    output: str

    @property
    def passed(self) -> bool:
        """The command found no 5xx (its exit status 0)."""
        return self.status == 0


async def fuzz_service(service: str, examples: int, seed: int) -> OpenApiResult:
    """Run schemathesis against one service; its result."""
    schemathesis = Path(sys.executable).with_name("schemathesis")
    command = [
        str(schemathesis),
        "run",
        f"http://127.0.0.1:{SERVICES[service][1]}/openapi.json",
        "--header",
        f"Authorization: Bearer {STAFF_TOKEN}",
        "--checks",
        "not_a_server_error",
        "--max-examples",
        str(examples),
        "--seed",
        str(seed),
        "--workers",
        "1",
        "--exclude-path",
        "/metrics",
        "--generation-database",
        "none",
        "--suppress-health-check",
        "all",
        "--request-timeout",
        "30",
        "--no-color",
    ]
    process = await asyncio.create_subprocess_exec(
        *command, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT
    )
    out, _ = await process.communicate()
    text = out.decode(errors="replace")
    counts = _COUNTS.findall(text)
    return OpenApiResult(service, process.returncode or 0, int(counts[-1]) if counts else 0, text)
