"""kill -9 one part of the system as `make up` runs it, and wait until it is back.

Services are restarted by `deploy/local/supervise.py` (as a process manager would); Kafka and
PostgreSQL are started again with `deploy/local/infra.sh up` after a short outage, as an
operator or systemd would.
"""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

import httpx

from deploy.local.supervise import REPO, SERVICES

INFRA = ("kafka", "postgres")
# kill -9 of one database connection's backend: PostgreSQL then ends every connection and runs
# crash recovery in place ("the database system is in recovery mode", SQLSTATE 57P03).
BACKEND = "postgres-backend"
TARGETS = (*SERVICES, *INFRA, BACKEND)


@dataclass
class Crash:
    """One fault: what was killed, when, and how long until everything answered again."""

    target: str
    pid: int
    killed_at: float
    back_at: float | None = None

    @property
    def recovery_seconds(self) -> float | None:
        """Seconds from the kill until every service was ready again."""
        return None if self.back_at is None else self.back_at - self.killed_at


def _children_of(parent: int) -> list[tuple[int, str]]:
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
        except OSError:
            continue
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        if ppid == parent:
            found.append((int(entry.name), cmdline))
    return found


def _supervisor_pid() -> int:
    return int((REPO / "var/run/system.pid").read_text().strip())


def service_pid(name: str) -> int:
    """The pid of a service the supervisor of `make up` runs."""
    module = SERVICES[name][0]
    for pid, cmdline in _children_of(_supervisor_pid()):
        if f"-m {module}" in cmdline:
            return pid
    raise RuntimeError(f"{name} is not running under the supervisor of `make up`")


def _infra_pid(name: str) -> int:
    if name == BACKEND:
        postmaster = _infra_pid("postgres")
        for pid, cmdline in _children_of(postmaster):
            if cmdline.startswith("postgres: escalator escalator"):
                return pid
        raise RuntimeError("no backend of the escalator database is running")
    if name == "kafka":
        return int((REPO / "var/run/kafka.pid").read_text().strip())
    first = (REPO / "var/postgres/data/postmaster.pid").read_text().splitlines()[0]
    return int(first.strip())


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    stat = Path(f"/proc/{pid}/stat")
    return not (stat.exists() and stat.read_text().rsplit(")", 1)[1].split()[0] == "Z")


async def all_ready(client: httpx.AsyncClient) -> bool:
    """Whether every service answers /readyz with 200."""
    for _, port in SERVICES.values():
        try:
            response = await client.get(f"http://127.0.0.1:{port}/readyz", timeout=2)
        except httpx.HTTPError:
            return False
        if response.status_code != 200:
            return False
    return True


async def wait_ready(client: httpx.AsyncClient, within: float) -> bool:
    """Poll until every service is ready; False after `within` seconds."""
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        if await all_ready(client):
            return True
        await asyncio.sleep(0.5)
    return False


async def crash(target: str, client: httpx.AsyncClient, outage: float, within: float) -> Crash:
    """kill -9 the target, bring Kafka/PostgreSQL back after `outage` s, wait for readiness."""
    pid = service_pid(target) if target in SERVICES else _infra_pid(target)
    os.kill(pid, signal.SIGKILL)
    event = Crash(target, pid, time.monotonic())
    while _alive(pid):  # noqa: ASYNC110 - polling another process, no event to wait on
        await asyncio.sleep(0.1)
    if target in INFRA:
        await asyncio.sleep(outage)
        await asyncio.to_thread(_infra_up)
    elif target in SERVICES:
        await _wait_restarted(target, pid, within)
    if await wait_ready(client, within):
        event.back_at = time.monotonic()
    return event


async def _wait_restarted(target: str, old_pid: int, within: float) -> None:
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        try:
            if service_pid(target) != old_pid:
                return
        except RuntimeError:
            pass
        await asyncio.sleep(0.2)


def _infra_up() -> None:
    subprocess.run(
        ["bash", str(REPO / "deploy/local/infra.sh"), "up"],
        check=True,
        cwd=REPO,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
