"""Reading a running service's own counters from its /metrics, as Prometheus would."""

from __future__ import annotations

import httpx
from prometheus_client.parser import text_string_to_metric_families

from tests.harness.processes import ServiceProcess


def metric_sum(service: ServiceProcess, sample: str, **labels: str) -> float:
    """The sum of the `sample` series (e.g. `escalator_sla_breaches_total`) whose labels
    include `labels`."""
    text = httpx.get(f"{service.url}/metrics", timeout=5).text
    return sum(
        found.value
        for family in text_string_to_metric_families(text)
        for found in family.samples
        if found.name == sample and labels.items() <= found.labels.items()
    )
