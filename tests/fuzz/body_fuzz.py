"""Send the mutated bodies to every sender endpoint of the running intake; collect any 5xx.

The endpoints are the example configuration's integrations (deploy/config/example.yaml), one
of each sender type, each fed the mutations of its own sample payloads (tests/fixtures/payloads)
and the structural ones; `/v2/enqueue` gets the PagerDuty samples.
"""

from __future__ import annotations

import asyncio
import json
import random
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from tests.fuzz.body_mutations import Mutation, from_sample, structural

PAYLOADS = Path(__file__).resolve().parents[1] / "fixtures" / "payloads"
INTAKE = "http://127.0.0.1:8001"


@dataclass(frozen=True)
class Endpoint:
    """One sender endpoint, how it authenticates, and the samples it is fed."""

    path: str
    token: str | None
    samples: tuple[str, ...]


ENDPOINTS = (
    Endpoint("/v1/webhooks/acme-monitoring", "dev-token-acme-monitoring", ()),
    Endpoint(
        "/v1/webhooks/acme-prometheus",
        "dev-token-acme-prometheus",
        ("alertmanager-v4-firing.json", "alertmanager-v4-resolved.json"),
    ),
    Endpoint(
        "/v1/webhooks/acme-grafana", "dev-token-acme-grafana", ("grafana-alerting-firing.json",)
    ),
    Endpoint(
        "/v1/webhooks/acme-zabbix",
        None,  # Zabbix puts the token in the body: mutations of it must be refused, not crash
        ("zabbix-webhook-problem.json", "zabbix-webhook-recovery.json"),
    ),
    Endpoint(
        "/v1/webhooks/acme-ninjaone",
        "dev-token-acme-ninjaone",
        ("ninjaone-condition-triggered.json", "ninjaone-condition-reset.json"),
    ),
    Endpoint(
        "/v1/webhooks/acme-datto?token=dev-token-acme-datto",
        None,
        ("datto-rmm-alert.json", "datto-rmm-body-template.json"),
    ),
    Endpoint(
        "/v2/enqueue",
        None,
        ("pagerduty-events-v2-trigger.json", "pagerduty-events-v2-resolve.json"),
    ),
)
GENERIC_SAMPLE: dict[str, Any] = {
    "title": "Fuzz: disk full on srv-fuzz",
    "severity": "major",
    "dedup_key": "fuzz-disk",
    "device": "srv-fuzz",
    "description": "C: at 99%",
    "error_codes": ["0x80040154"],
    "labels": {"service": "fileserver"},
    "links": ["https://rmm.example/devices/srv-fuzz"],
    "occurred_at": "2026-12-07T03:00:00Z",
}
# The body of a sample, with the example configuration's tokens where the sample carries its own.
TOKENS_IN_BODY = {"token": "dev-token-acme-zabbix", "routing_key": "dev-token-acme-pagerduty"}


@dataclass
class Findings:
    """What the server answered, by status; every 5xx or dropped connection, in full."""

    sent: int = 0
    statuses: dict[int, int] = field(default_factory=dict)
    failures: list[str] = field(default_factory=list)


def _sample(name: str) -> Any:
    body = json.loads((PAYLOADS / name).read_text())
    if isinstance(body, dict):
        body.update({k: v for k, v in TOKENS_IN_BODY.items() if k in body})
    return body


def mutations_for(
    endpoint: Endpoint, seed: int, flips: int, per_sample: int | None
) -> list[Mutation]:
    """The endpoint's bodies: the structural ones and each sample's (a random subset if asked)."""
    chosen = list(structural())
    samples = [_sample(n) for n in endpoint.samples] or [GENERIC_SAMPLE]
    rng = random.Random(seed)
    for index, sample in enumerate(samples):
        made = list(from_sample(sample, seed + index, flips))
        if per_sample is not None and len(made) > per_sample:
            made = [made[0], *rng.sample(made[1:], per_sample - 1)]
        chosen.extend(made)
    return chosen


async def fuzz_bodies(seed: int, flips: int, per_sample: int | None, concurrency: int) -> Findings:
    """Every endpoint, every mutation; at most `concurrency` requests at a time."""
    findings = Findings()
    gate = asyncio.Semaphore(concurrency)
    async with httpx.AsyncClient(base_url=INTAKE, timeout=30) as client:
        jobs = [
            _send(client, gate, endpoint, mutation, findings)
            for endpoint in ENDPOINTS
            for mutation in mutations_for(endpoint, seed, flips, per_sample)
        ]
        await asyncio.gather(*jobs)
    return findings


async def _send(
    client: httpx.AsyncClient,
    gate: asyncio.Semaphore,
    endpoint: Endpoint,
    mutation: Mutation,
    findings: Findings,
) -> None:
    headers = {"Content-Type": mutation.content_type}
    if endpoint.token:
        headers["Authorization"] = f"Bearer {endpoint.token}"
    async with gate:
        findings.sent += 1
        try:
            response = await client.post(endpoint.path, content=mutation.body, headers=headers)
        except httpx.HTTPError as exc:
            findings.failures.append(f"{endpoint.path} [{mutation.name}]: {exc!r}")
            return
    findings.statuses[response.status_code] = findings.statuses.get(response.status_code, 0) + 1
    if response.status_code >= 500:
        findings.failures.append(
            f"{endpoint.path} [{mutation.name}]: {response.status_code} {response.text[:300]}"
        )


def summary(findings: Findings) -> Sequence[str]:
    """The lines the suite prints."""
    statuses = ", ".join(f"{s}: {n}" for s, n in sorted(findings.statuses.items()))
    return [f"sender bodies: {findings.sent} sent; answers {statuses}", *findings.failures[:20]]
