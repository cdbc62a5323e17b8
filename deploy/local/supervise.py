"""Run the whole system locally: the mail catcher and the five services, as child processes.

Used by `make run` (foreground; Ctrl-C stops everything) and `make up` (background). Expects
Kafka and PostgreSQL to be up (`deploy/local/infra.sh up`); passes their addresses on. A service
that dies is restarted after a pause, the way a process manager would.
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx

REPO = Path(__file__).resolve().parents[2]
SERVICES = {
    "console": ("escalator_console", 8000),
    "intake": ("escalator_intake", 8001),
    "router": ("escalator_router", 8002),
    "sla-timer": ("escalator_sla_timer", 8003),
    "vendor-gateway": ("escalator_vendor_gateway", 8004),
    "notifier": ("escalator_notifier", 8005),
}
READY_FILE = REPO / "var" / "run" / "system.ready"
RESTART_PAUSE_SECONDS = 3.0


@dataclass
class Child:
    """One supervised process."""

    name: str
    command: list[str]
    log_path: Path | None
    port: int | None = None
    process: subprocess.Popen[bytes] | None = None
    died_at: float | None = field(default=None)

    def start(self, env: dict[str, str]) -> None:
        """Launch it, its output to its log file or to ours."""
        out = self.log_path.open("ab") if self.log_path else None
        self.process = subprocess.Popen(
            self.command, env=env, stdout=out, stderr=subprocess.STDOUT, cwd=REPO
        )
        self.died_at = None

    def ready(self) -> bool:
        """Whether /readyz answers 200 (always True for children without a port)."""
        if self.port is None:
            return True
        try:
            return httpx.get(f"http://127.0.0.1:{self.port}/readyz", timeout=2).status_code == 200
        except httpx.HTTPError:
            return False


def infrastructure_env() -> dict[str, str]:
    """Kafka and PostgreSQL addresses from `infra.sh env`, as the services' settings."""
    out = subprocess.run(
        ["bash", str(REPO / "deploy/local/infra.sh"), "env"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    found = {}
    for line in out.splitlines():
        name, _, value = line.removeprefix("export ").partition("=")
        found[name.strip()] = value.strip().strip("'\"")
    return {
        "ESCALATOR_KAFKA_BOOTSTRAP_SERVERS": found["KAFKA_BOOTSTRAP_SERVERS"],
        "ESCALATOR_DATABASE_URL": found["DATABASE_URL"],
    }


def main() -> int:
    """Start everything, wait for readiness, supervise until told to stop."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--logs", type=Path, help="write each child's output to DIR/<name>.log")
    args = parser.parse_args()
    if args.logs:
        args.logs.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, **infrastructure_env()}  # noqa: TID251 - children inherit the environment
    env.setdefault("ESCALATOR_CONFIG", str(REPO / "deploy/config/example.yaml"))
    # The example configuration's SMS provider is the chat catcher, which takes any token.
    env.setdefault("ESCALATOR_SMS_AUTH_TOKEN", "dev-sms-token")
    # One-click links in notifications land on the console's confirmation page.
    env.setdefault("ESCALATOR_CONSOLE_URL", "http://127.0.0.1:8000")
    supervisor = Supervisor(_children(args.logs), env)
    signal.signal(signal.SIGINT, supervisor.request_stop)
    signal.signal(signal.SIGTERM, supervisor.request_stop)
    supervisor.run()
    return 0


def _children(logs: Path | None) -> list[Child]:
    python = sys.executable
    catcher = [python, "deploy/local/mail_catcher.py", "--port", "1025"]
    chat = [python, "deploy/local/chat_catcher.py", "--port", "8026"]
    children = [
        Child("mail-catcher", catcher, logs / "mail-catcher.log" if logs else None),
        Child("chat-catcher", chat, logs / "chat-catcher.log" if logs else None),
    ]
    children += [
        Child(name, [python, "-m", module], logs / f"{name}.log" if logs else None, port)
        for name, (module, port) in SERVICES.items()
    ]
    return children


class Supervisor:
    """Starts the children, restarts those that die, stops them all on request."""

    def __init__(self, children: list[Child], env: dict[str, str]) -> None:
        self._children = children
        self._env = env
        self._stopping = False

    def request_stop(self, *_: object) -> None:
        """Signal handler: stop at the next turn of the loop."""
        self._stopping = True

    def run(self) -> None:
        """Start, announce readiness once, restart the dead, then stop everything."""
        READY_FILE.unlink(missing_ok=True)
        for child in self._children:
            self._start(child)
        announced = False
        while not self._stopping:
            for child in self._children:
                self._restart_if_dead(child)
            if not announced and all(c.ready() for c in self._children):
                announced = True
                READY_FILE.parent.mkdir(parents=True, exist_ok=True)
                READY_FILE.write_text(str(os.getpid()))
                print(_banner(), flush=True)
            time.sleep(0.5)
        self._stop_all()

    def _start(self, child: Child) -> None:
        env = {**self._env, "ESCALATOR_HTTP_PORT": str(child.port)} if child.port else self._env
        child.start(env)

    def _restart_if_dead(self, child: Child) -> None:
        if child.process is None or child.process.poll() is None:
            return
        if child.died_at is None:
            print(
                f"supervise: {child.name} exited with {child.process.returncode}; "
                f"restarting in {RESTART_PAUSE_SECONDS:g}s",
                flush=True,
            )
            child.died_at = time.monotonic()
        elif time.monotonic() - child.died_at >= RESTART_PAUSE_SECONDS:
            self._start(child)

    def _stop_all(self) -> None:
        for child in self._children:
            if child.process and child.process.poll() is None:
                child.process.terminate()
        for child in self._children:
            if child.process:
                try:
                    child.process.wait(timeout=25)
                except subprocess.TimeoutExpired:
                    child.process.kill()
        READY_FILE.unlink(missing_ok=True)
        print("supervise: everything stopped", flush=True)


def _banner() -> str:
    lines = [
        "",
        "Escalator is running:",
        "  console         http://127.0.0.1:8000/",
        "                  (sign in as alice@msp.example, password dev-password-alice)",
    ]
    lines += [
        f"  {name:<15} http://127.0.0.1:{port}/readyz"
        for name, (_, port) in SERVICES.items()
        if name != "console"
    ]
    lines += [
        "  mail out        var/mail/*.eml (SMTP on 127.0.0.1:1025)",
        "  chat/SMS out    var/chat/*.json (Slack, Teams, SMS stand-in on 127.0.0.1:8026)",
        "  mail in         SMTP on 127.0.0.1:2525 (intake)",
        "",
        "Send an alert:",
        "  curl -s -X POST http://127.0.0.1:8001/v1/webhooks/acme-monitoring \\",
        "    -H 'Authorization: Bearer dev-token-acme-monitoring' \\",
        "    -H 'Content-Type: application/json' \\",
        '    -d \'{"title": "Disk C: 95% full", "severity": "major", "device": "srv-01"}\'',
        "Send an email:",
        "  curl -s smtp://127.0.0.1:2525 --mail-from dana@acme.example \\",
        "    --mail-rcpt support@msp.example --upload-file tests/fixtures/email/01-new-request.eml",
        "",
    ]
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
