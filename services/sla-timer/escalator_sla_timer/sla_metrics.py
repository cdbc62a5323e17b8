"""SLA metrics: clocks started and stopped, warnings, breaches and the timer's lag.

Labels stay bounded: metric kind (response, resolution, ola, vendor...), priority, client,
outcome; never a ticket or a clock.
"""

from __future__ import annotations

from dataclasses import dataclass

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram

_LAG_BUCKETS = (0.05, 0.1, 0.25, 0.5, 0.75, 1, 2, 5, 10, 30, 60)


@dataclass(frozen=True)
class SlaMetrics:
    """The SLA timer's own families."""

    started: Counter
    stopped: Counter
    warnings: Counter
    breaches: Counter
    fire_lag: Histogram
    pending: Gauge

    @classmethod
    def create(cls, registry: CollectorRegistry) -> SlaMetrics:
        """Register the families on the service's registry."""
        return cls(
            started=Counter(
                "escalator_sla_clocks_started",
                "Clocks started, by metric and client.",
                ["metric", "client"],
                registry=registry,
            ),
            stopped=Counter(
                "escalator_sla_clocks_stopped",
                "Clocks stopped, by metric, outcome (fulfilled, cancelled), whether they met "
                "their target (met, missed) and client.",
                ["metric", "outcome", "attainment", "client"],
                registry=registry,
            ),
            warnings=Counter(
                "escalator_sla_warnings",
                "Warnings given, by metric, percentage and client.",
                ["metric", "percent", "client"],
                registry=registry,
            ),
            breaches=Counter(
                "escalator_sla_breaches",
                "Breaches, by metric, priority and client.",
                ["metric", "priority", "client"],
                registry=registry,
            ),
            fire_lag=Histogram(
                "escalator_sla_timer_lag_seconds",
                "From the instant a timer fell due to the commit of what it said.",
                ["kind"],
                buckets=_LAG_BUCKETS,
                registry=registry,
            ),
            pending=Gauge(
                "escalator_sla_timers_pending",
                "Clocks with a timer set (running), sampled by the timer.",
                registry=registry,
            ),
        )
