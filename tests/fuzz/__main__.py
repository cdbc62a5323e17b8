"""The bounded bad-input suite against the system `make up` runs.

    .venv/bin/python -m tests.fuzz [--short] [--examples 60] [--seed 7]

1. schemathesis over every service's OpenAPI with a staff token (`openapi_fuzz`);
2. hostile bodies for the sender endpoints OpenAPI does not describe, made from every sample
   payload (`body_mutations`, `body_fuzz`).
It passes when no answer was a 5xx or a dropped connection, no service logged a traceback or
was restarted meanwhile, nothing was dead-lettered, and every service is ready afterwards;
exits 1 otherwise.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import time
from collections.abc import Sequence

import httpx

from deploy.local.supervise import SERVICES
from tests.fault.crashes import all_ready
from tests.fuzz.body_fuzz import fuzz_bodies, summary
from tests.fuzz.dead_letters import dead_lettered
from tests.fuzz.log_scan import LogMark
from tests.fuzz.openapi_fuzz import fuzz_service


def _parser() -> argparse.ArgumentParser:
    parse = argparse.ArgumentParser(prog="python -m tests.fuzz", description=__doc__)
    parse.add_argument("--examples", type=int, default=60, help="schemathesis cases per operation")
    parse.add_argument("--seed", type=int, default=7, help="the same seed sends the same inputs")
    parse.add_argument("--flips", type=int, default=40, help="random byte-flip bodies per sample")
    parse.add_argument("--per-sample", type=int, default=None, help="mutations kept per sample")
    parse.add_argument("--concurrency", type=int, default=8, help="body requests at a time")
    parse.add_argument(
        "--short", action="store_true", help="CI's form: 15 cases, 8 flips, 60 mutations a sample"
    )
    return parse


async def run(args: argparse.Namespace) -> int:
    """The whole suite; the exit status."""
    async with httpx.AsyncClient() as client:
        if not await all_ready(client):
            print("the system is not running: start it with `make up`", file=sys.stderr)  # noqa: T201
            return 2
        letters_before = await dead_lettered(client)
    mark, started, ok = LogMark.now(), time.monotonic(), True
    for service in SERVICES:
        result = await fuzz_service(service, args.examples, args.seed)
        verdict = "ok" if result.passed else "FAILED"
        print(f"openapi {service}: {result.generated} cases, {verdict}", flush=True)  # noqa: T201
        if not result.passed:
            ok = False
            print(result.output[-6000:])  # noqa: T201 - schemathesis's own report
    findings = await fuzz_bodies(args.seed, args.flips, args.per_sample, args.concurrency)
    print("\n".join(summary(findings)), flush=True)  # noqa: T201
    ok = ok and not findings.failures
    await asyncio.sleep(2)  # let the consumers read what was accepted
    problems = [*mark.tracebacks(), *mark.restarts()]
    async with httpx.AsyncClient() as client:
        if not await all_ready(client):
            problems.append("a service is not ready after the suite")
        letters = await dead_lettered(client) - letters_before
    if letters:
        problems.append(f"{letters:.0f} record(s) dead-lettered during the suite")
    for problem in problems[:30]:
        print(f"  {problem}")  # noqa: T201
    print(f"dead-lettered during the suite: {letters:.0f}")  # noqa: T201
    print(f"tracebacks, restarts and dead letters: {len(problems)}")  # noqa: T201
    ok = ok and not problems
    verdict = "PASS" if ok else "FAIL"
    print(f"fuzz suite: {verdict} in {time.monotonic() - started:.0f} s")  # noqa: T201
    return 0 if ok else 1


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point."""
    args = _parser().parse_args(argv)
    if args.short:
        args.examples, args.flips, args.per_sample = 15, 8, 60
    return asyncio.run(run(args))


if __name__ == "__main__":
    sys.exit(main())
