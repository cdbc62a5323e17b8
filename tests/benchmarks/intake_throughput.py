"""Benchmark: alerts/s that intake accepts durably (Kafka acks=all) and its latency.

Starts Kafka and PostgreSQL (deploy/local/infra.sh, or KAFKA_BOOTSTRAP_SERVERS / DATABASE_URL)
and one intake process, then drives it with wrk (Debian's package, a C load generator) on the same
2-core machine. wrk against a bare canned-answer server first shows the load generator's own
ceiling here, and against intake's /healthz what an ordinary FastAPI route costs.
Then vegeta (Go, `go install`ed when missing) posts single alerts at fixed rates (open loop) for
the latency a sender at that rate sees, after an unreported 3-second warm-up; last, wrk saturates
intake with single alerts and with Alertmanager batches of 100.

Usage: python -m tests.benchmarks.intake_throughput [--seconds 10] [--connections 64]
       [--rates 250,500,1000] [--instances 1] [--consumers first|process|none]
"""

from __future__ import annotations

import argparse
import contextlib
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from tests.benchmarks.fixed_rate import attack, ensure_vegeta, figures, write_targets
from tests.harness.environment import REPO, provide_infrastructure
from tests.harness.isolation import Namespace, unique_suffix
from tests.harness.processes import ServiceProcess, free_port

POST_SCRIPT = Path(__file__).with_name("post_alert.lua")
BATCH_SCRIPT = Path(__file__).with_name("post_alertmanager_batch.lua")
BATCH_SIZE = 100


def _wrk(url: str, seconds: float, connections: int, script: Path | None = None) -> str:
    command = ["wrk", "-t2", f"-c{connections}", f"-d{seconds:g}s", "--latency", url]
    if script is not None:
        command[1:1] = ["-s", str(script)]
    return subprocess.run(command, check=True, capture_output=True, text=True).stdout


def _figures(label: str, output: str, alerts_per_request: int = 1, unit: str = "alerts/s") -> str:
    rate = re.search(r"Requests/sec:\s+([\d.]+)", output)
    p50 = re.search(r"^\s+50%\s+(\S+)", output, re.MULTILINE)
    p99 = re.search(r"^\s+99%\s+(\S+)", output, re.MULTILINE)
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    socket_errors = re.search(r"Socket errors: (.*)", output)
    return (
        f"{label:<36} {float(rate.group(1)) * alerts_per_request if rate else 0:>9.0f} {unit}   "
        f"p50 {p50.group(1) if p50 else '?':>8}   p99 {p99.group(1) if p99 else '?':>8}   "
        f"non-2xx {errors.group(1) if errors else 0}"
        + (f"   socket errors: {socket_errors.group(1)}" if socket_errors else "")
    )


def _wrk_ceiling(args: argparse.Namespace) -> str:
    """wrk against a server that costs next to nothing: the load generator's own ceiling."""
    port = free_port()
    server = subprocess.Popen([sys.executable, "-m", "tests.benchmarks.canned_http", str(port)])
    try:
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port)):
                break
            time.sleep(0.1)
        return _wrk(f"http://127.0.0.1:{port}/", args.seconds, args.connections)
    finally:
        server.terminate()
        server.wait()


def main() -> None:
    """Run the benchmark and print its figures."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--connections", type=int, default=64)
    parser.add_argument(
        "--rates", default="250,500,1000", help="fixed rates (alerts/s) of the open-loop runs"
    )
    parser.add_argument(
        "--instances",
        type=int,
        default=1,
        help="intake processes sharing the port (SO_REUSEPORT); the first runs the consumers",
    )
    parser.add_argument(
        "--consumers",
        choices=["first", "process", "none"],
        default="first",
        help="where the consumers that turn alerts into tickets run: in the first intake process "
        "(default), in one more intake process that takes no webhooks, or nowhere (the accept "
        "path alone: alerts stay durable on Kafka for a consumer elsewhere)",
    )
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is needed: apt-get install wrk")
    with contextlib.ExitStack() as stack:
        infra = provide_infrastructure(stack)
        namespace = Namespace(unique_suffix())
        workdir = Path(stack.enter_context(tempfile.TemporaryDirectory()))
        env = {
            "ESCALATOR_KAFKA_BOOTSTRAP_SERVERS": infra.kafka_bootstrap_servers,
            "ESCALATOR_DATABASE_URL": infra.database_url,
            "ESCALATOR_DATABASE_SCHEMA": namespace.schema("intake"),
            "ESCALATOR_TOPIC_PREFIX": namespace.topic_prefix,
            "ESCALATOR_CONFIG": str(REPO / "deploy/config/example.yaml"),
            "ESCALATOR_LOG_LEVEL": "WARNING",
            "ESCALATOR_SMTP_LISTEN_PORT": "0",
            "ESCALATOR_HTTP_REUSE_PORT": "true",
        }
        api_only = {**env, "ESCALATOR_CONSUMERS": "false"}
        first = ServiceProcess("intake", env if args.consumers == "first" else api_only, workdir)
        instances = [first] + [
            ServiceProcess("intake", api_only, workdir / f"api-{n}", port=first.port)
            for n in range(1, args.instances)
        ]
        if args.consumers == "process":
            # Its own port: the kernel spreads the senders' connections over the others only.
            consumer_env = {**env, "ESCALATOR_HTTP_REUSE_PORT": "false"}
            instances.append(ServiceProcess("intake", consumer_env, workdir / "consumers"))
        for instance in instances:
            instance.log_dir.mkdir(parents=True, exist_ok=True)
            instance.start()
            stack.callback(instance.stop)
            instance.wait_ready()
        intake = first
        consumers = {
            "first": "the first also runs the consumers",
            "process": "consumers in a process of their own",
            "none": "no consumers: the accept path alone",
        }[args.consumers]
        print(
            f"intake benchmark: {args.instances} intake process(es) on one port "
            f"({consumers}), wrk -t2 -c{args.connections}, "
            f"{args.seconds:g} s per run, all on this machine"
        )
        print(_figures("load generator ceiling (wrk)", _wrk_ceiling(args), unit="req/s   "))
        healthz = _wrk(f"{intake.url}/healthz", args.seconds, args.connections)
        print(_figures("FastAPI route (GET /healthz)", healthz, unit="req/s   "))
        url = f"{intake.url}/v1/webhooks/acme-monitoring"
        # The fixed rates come before the saturating runs: these leave hundreds of thousands of
        # alerts queued for the first process's consumer, which would still be turning them
        # into tickets on the same two cores while vegeta measures.
        vegeta = ensure_vegeta()
        if vegeta is None:
            print("fixed-rate runs skipped: vegeta is missing and Go is not installed")
        else:
            rates = [int(r) for r in args.rates.split(",") if r.strip()]
            targets = write_targets(
                workdir / "targets.json", url, "dev-token-acme-monitoring", max(rates) * 12
            )
            # A warm-up, not reported: the first second after start carries connection set-up,
            # the producer's first metadata and the consumer group's first assignment.
            attack(vegeta, targets, rates[0], 3)
            for rate in rates:
                report = attack(vegeta, targets, rate, args.seconds)
                print(figures(f"single alerts at {rate}/s (vegeta)", report))
        alerts = _wrk(url, args.seconds, args.connections, POST_SCRIPT)
        print(_figures("single alerts (POST, durable)", alerts))
        batch_url = f"{intake.url}/v1/webhooks/acme-prometheus"
        batches = _wrk(batch_url, args.seconds, min(args.connections, 16), BATCH_SCRIPT)
        print(_figures(f"Alertmanager batches of {BATCH_SIZE} (durable)", batches, BATCH_SIZE))


if __name__ == "__main__":
    main()
